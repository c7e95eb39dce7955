//! Human-readable API documentation, rendered on the server from the same OpenAPI
//! document served at `/api/v1/openapi.json`. Open to anyone (partners read it before
//! they have an account); a small script lets a partner try calls with their token.

use super::{Layout, render};
use crate::auth::Ctx;
use crate::error::PageError;
use askama::Template;
use axum::response::Response;
use serde_json::Value;

pub struct DocParam {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub description: String,
}

pub struct DocOp {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub tag: String,
    pub params: Vec<DocParam>,
    pub body_example: String,
    pub responses: Vec<(String, String)>,
    pub secured: bool,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    layout: Layout,
    t: crate::i18n::T,
    description: String,
    ops: Vec<DocOp>,
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter().try_fold(v, |v, k| v.get(k)).and_then(Value::as_str).unwrap_or("")
}

/// Resolves `{"$ref": "#/components/schemas/X"}` to X's example, if any.
fn example_of(doc: &Value, schema: &Value) -> Option<Value> {
    if let Some(e) = schema.get("example") {
        return Some(e.clone());
    }
    let name = schema.get("$ref")?.as_str()?.rsplit('/').next()?;
    doc.pointer(&format!("/components/schemas/{name}/example")).cloned()
}

pub fn operations(doc: &Value) -> Vec<DocOp> {
    let mut ops = vec![];
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return ops;
    };
    for (path, item) in paths {
        let Some(methods) = item.as_object() else {
            continue;
        };
        for (method, op) in methods {
            let params = op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| DocParam {
                            name: str_at(p, &["name"]).into(),
                            location: str_at(p, &["in"]).into(),
                            required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                            description: str_at(p, &["description"]).into(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let body_example = op
                .pointer("/requestBody/content/application~1json/schema")
                .and_then(|s| example_of(doc, s))
                .and_then(|e| serde_json::to_string_pretty(&e).ok())
                .unwrap_or_default();
            let responses = op
                .get("responses")
                .and_then(Value::as_object)
                .map(|rs| rs.iter().map(|(code, r)| (code.clone(), str_at(r, &["description"]).to_string())).collect())
                .unwrap_or_default();
            ops.push(DocOp {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: str_at(op, &["summary"]).to_string(),
                tag: op.pointer("/tags/0").and_then(Value::as_str).unwrap_or("").to_string(),
                params,
                body_example,
                responses,
                secured: op.get("security").is_some(),
            });
        }
    }
    ops.sort_by(|a, b| (a.tag.as_str(), a.path.as_str()).cmp(&(b.tag.as_str(), b.path.as_str())));
    ops
}

pub async fn page(ctx: Ctx) -> Result<Response, PageError> {
    let doc = serde_json::to_value(crate::api::openapi()).unwrap_or(Value::Null);
    let t = ctx.t();
    render(
        &ApiDocsPage {
            layout: Layout::anonymous(&ctx, t.get("api.title"), "/api/docs"),
            t,
            description: str_at(&doc, &["info", "description"]).to_string(),
            ops: operations(&doc),
        },
        ctx.lang,
    )
}
