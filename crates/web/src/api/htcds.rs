//! HTCDS referral without a shared server (issue 17; docs/HTCDS.md): a case as a signed HTCDS
//! 2.0 document, our public key, partners' keys, and the import of a partner's document
//! (preview, then confirm). The operations are `app::htcds`.

use super::ApiJson;
use crate::AppState;
use crate::auth::{ApiUser, Unread};
use crate::cases::Caller;
use crate::error::{ApiError, ErrorBody};
use app::htcds::{self as h, ImportInput, ImportResult, KeyInput, PublicKeyInfo};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::access::Action;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn caller(u: &ApiUser) -> Caller<'_> {
    Caller::new(&u.principal, &u.user)
}

#[derive(Deserialize, IntoParams)]
pub struct ExportQuery {
    /// The receiving organisation's name (`cas_ReferredOrganisation`), optional.
    pub receiver: Option<String>,
    /// The key id of a registered partner key: the envelope comes sealed for that organisation
    /// (`{format, recipient_key_id, ephemeral, nonce, ciphertext}`, X25519 + ChaCha20-Poly1305;
    /// docs/HTCDS.md). 422 on `seal_for` when no such key is registered.
    pub seal_for: Option<String>,
}

/// The case as an HTCDS 2.0 document in a signed envelope `{format, document, signed_by,
/// signed_at, key_id, case_ref, signature}` (Ed25519 over the canonical JSON of the rest).
/// `vic_` and `cas_` keys always; `prs_` identity keys only when the person's consent to share
/// the case is recorded, else `con_Consent` is false. 404 to anyone who may not open the case.
/// Audited.
#[utoipa::path(get, path = "/api/v1/cases/{id}/htcds", tag = "htcds", params(("id" = i64, Path), ExportQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The signed envelope", body = Object), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    u: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let env = h::export(&state, caller(&u), &u.actor, id, q.receiver.as_deref(), q.seal_for.as_deref())
        .await
        .map_err(ApiError::or_not_found("case"))?;
    Ok(Json(env))
}

/// This server's Ed25519 public key, which partners register to check our documents.
#[utoipa::path(get, path = "/api/v1/htcds/public-key", tag = "htcds", security(("bearer" = [])),
    responses((status = 200, body = PublicKeyInfo)))]
pub async fn public_key(State(state): State<AppState>, _u: ApiUser) -> Result<Json<PublicKeyInfo>, ApiError> {
    Ok(Json(h::public_key(&state)?))
}

#[derive(Serialize, ToSchema)]
pub struct PartnerKeyView {
    pub id: i64,
    pub name: String,
    pub key_id: String,
    pub public_key: String,
    pub active: bool,
    pub created_at: i64,
}

impl From<h::PartnerKey> for PartnerKeyView {
    fn from(k: h::PartnerKey) -> Self {
        PartnerKeyView {
            id: k.id,
            name: k.name,
            key_id: k.key_id,
            public_key: k.public_key,
            active: k.active,
            created_at: k.created_at,
        }
    }
}

/// Partner organisations' registered public keys (admins of the partner registry).
#[utoipa::path(get, path = "/api/v1/htcds/partner-keys", tag = "htcds", security(("bearer" = [])),
    responses((status = 200, body = [PartnerKeyView]), (status = 403, body = ErrorBody)))]
pub async fn partner_keys(State(state): State<AppState>, u: ApiUser) -> Result<Json<Vec<PartnerKeyView>>, ApiError> {
    let keys = h::partner_keys(&state, &u.principal).await?;
    Ok(Json(keys.into_iter().map(PartnerKeyView::from).collect()))
}

/// Registers a partner organisation's public key: documents signed with it may be imported.
#[utoipa::path(post, path = "/api/v1/htcds/partner-keys", tag = "htcds", request_body = KeyInput,
    security(("bearer" = [])),
    responses((status = 201, body = PartnerKeyView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register_key(
    State(state): State<AppState>,
    u: ApiUser,
    body: Unread<ApiJson<KeyInput>>,
) -> Result<(StatusCode, Json<PartnerKeyView>), ApiError> {
    u.require(Action::ManagePartners, None)?;
    let ApiJson(req) = body.read().await?;
    let k = h::register_key(&state, &u.principal, &u.actor, &req).await?;
    Ok((StatusCode::CREATED, Json(k.into())))
}

/// Imports a partner's signed HTCDS document. The signature is checked against the sender's
/// registered key (422 naming `key_id` when unknown, `signature` when it does not match), the
/// fields against HTCDS 2.0. Without `confirm` (the default) the answer is the field-by-field
/// preview and nothing is written; with `confirm: true` a new restricted trafficking case (or,
/// with `link_case_id`, a note on that case) is created in one audited transaction: 201.
#[utoipa::path(post, path = "/api/v1/imports/htcds", tag = "htcds", request_body = ImportInput,
    security(("bearer" = [])),
    responses((status = 200, description = "Preview", body = ImportResult),
        (status = 201, description = "Imported", body = ImportResult),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    u: ApiUser,
    body: Unread<ApiJson<ImportInput>>,
) -> Result<(StatusCode, Json<ImportResult>), ApiError> {
    // The village is in the body: the role first, the village once read.
    u.require_ever(Action::EditPerson)?;
    let ApiJson(req) = body.read().await?;
    let r = h::import(&state, caller(&u), &u.actor, &req).await.map_err(ApiError::or_not_found("case"))?;
    let status = if r.imported { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(r)))
}
