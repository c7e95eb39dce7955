//! The command line as an operator meets it: a command that creates a database prints the
//! first admin's login; one that ignores `DESMIGRATIF_ADMIN_*` says so; long jobs print plain
//! progress lines when stderr is not a terminal (as here, where it is a pipe).

use std::process::{Command, Output};

fn desmigratif(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_desmigratif"));
    cmd.current_dir(dir).args(args).env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd.env("DESMIGRATIF_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output { status, stdout, stderr } = cmd.output().expect("the binary runs");
    let (out, err) = (String::from_utf8_lossy(&stdout).into_owned(), String::from_utf8_lossy(&stderr).into_owned());
    assert!(status.success(), "{args:?} failed\nstdout:\n{out}\nstderr:\n{err}");
    (out, err)
}

#[test]
fn generate_shows_the_admin_login_and_progress_and_later_commands_say_what_they_ignore() {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) =
        desmigratif(dir.path(), &["generate", "--scale", "small"], &[("DESMIGRATIF_PROGRESS_EVERY", "0.05")]);
    // The login, once in the start-up block and again after the long report.
    assert!(out.contains("Username: admin"), "{out}");
    let password = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("Password: "))
        .and_then(|l| l.split_whitespace().next())
        .expect("a generated password is shown");
    assert!(password.len() >= 12, "{password}");
    assert!(out.contains(&format!("Sign in as admin with the password {password}")), "{out}");
    // Plain progress lines on a pipe: per pillar, and with counts, rate and time left while working.
    assert!(err.contains("villages: ") && err.contains("rows written"), "{err}");
    assert!(err.lines().any(|l| l.contains(" of ") && l.contains('%') && l.contains("/s")), "{err}");
    assert!(!err.contains('\r'), "no terminal redraws in a pipe: {err}");

    // The database exists now: the admin variables are ignored, and that is said.
    let (out, err) = desmigratif(
        dir.path(),
        &["migrate"],
        &[("DESMIGRATIF_ADMIN_USER", "boss"), ("DESMIGRATIF_ADMIN_PASSWORD", "a-long-enough-password-1")],
    );
    assert!(!out.contains("First national admin"), "{out}");
    assert!(err.contains("DESMIGRATIF_ADMIN_USER / DESMIGRATIF_ADMIN_PASSWORD ignored"), "{err}");
    let (_, err) = desmigratif(dir.path(), &["migrate"], &[]);
    assert!(!err.contains("ignored"), "nothing to say without the variables: {err}");

    // Indicators and backup finish with their summary.
    let (out, _) = desmigratif(dir.path(), &["indicators", "refresh", "--all"], &[]);
    assert!(out.contains("Refreshed ") && out.contains("village(s)"), "{out}");
    // Name keys: a generated database records this build's key version, so re-keying has
    // nothing to do unless asked to start over; then every key is read and none differs.
    let (out, _) = desmigratif(dir.path(), &["persons", "rekey"], &[]);
    assert!(out.contains("are already version 2: nothing to do"), "{out}");
    let (out, _) = desmigratif(dir.path(), &["persons", "rekey", "--all"], &[]);
    assert!(out.contains("Re-keyed to version 2: ") && out.contains(" 0 key(s) rewritten"), "{out}");
    let (out, _) = desmigratif(dir.path(), &["backup", "--to", "data/copy.db"], &[]);
    assert!(out.contains("Backup written to data/copy.db"), "{out}");
    assert!(dir.path().join("data/copy.db").metadata().unwrap().len() > 0);
}

#[test]
fn user_create_on_a_new_database_shows_the_first_admin_too() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = desmigratif(
        dir.path(),
        &["user", "create", "--username", "siti", "--full-name", "Siti Aminah", "--role", "national_analyst"],
        &[("DESMIGRATIF_NEW_PASSWORD", "a-long-enough-password-2")],
    );
    assert!(out.contains("First national admin account created") && out.contains("Username: admin"), "{out}");
    assert!(out.contains("Created user siti"), "{out}");
}

#[test]
fn dhis2_import_orgunits_reports_matches_and_changes_nothing_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    desmigratif(dir.path(), &["migrate"], &[]);
    let file = dir.path().join("orgunits.json");
    std::fs::write(
        &file,
        r#"{"organisationUnits": [
            {"id": "IdnCountry1", "name": "Indonesia"},
            {"id": "NttProvince", "code": "53", "name": "NTT", "parent": {"id": "IdnCountry1"}},
            {"id": "SikkaRegncy", "code": "5307", "name": "Sikka", "parent": {"id": "NttProvince"}}]}"#,
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let (out, _) = desmigratif(dir.path(), &["dhis2", "import-orgunits", path], &[]);
    assert!(
        out.contains("3 org units: 2 matched (2 new or changed, 0 unchanged), 1 unmatched, 0 conflicting"),
        "{out}"
    );
    assert!(out.contains("unmatched IdnCountry1"), "{out}");
    let (out, _) = desmigratif(dir.path(), &["dhis2", "import-orgunits", path], &[]);
    assert!(out.contains("2 matched (0 new or changed, 2 unchanged)"), "{out}");
}
