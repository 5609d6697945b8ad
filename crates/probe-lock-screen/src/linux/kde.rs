//! KDE Plasma 5 and 6: `kscreenlockerrc`, the user's file (read as the user with `cat`) over
//! the system one in `/etc/xdg` (whose `[$i]` kiosk groups win), over KDE's defaults.

use super::DEADLINE;
use crate::parse::linux::kconfig;
use crate::parse::linux::kscreenlocker::{self, KdeSource};
use crate::policy::{LockSettings, Observed};
use devidence_core::{CommandSpec, Outcome, ProbeRun, UserContext};

/// Reads one person's `kscreenlockerrc` settings, recording the facts under `prefix`.
pub fn read_kde(
    run: &mut ProbeRun<'_>,
    ctx: &UserContext,
    prefix: &str,
) -> Result<LockSettings, String> {
    let user_path = format!("{}/.config/kscreenlockerrc", ctx.home.trim_end_matches('/'));
    // Read as the user: root never opens a path the user controls (a symlink to /etc/shadow
    // would otherwise end up in the evidence).
    let obs = run.run(
        CommandSpec::new("cat", [user_path.as_str()])
            .deadline(DEADLINE)
            .as_user(ctx),
    );
    let user_text = if obs.succeeded() {
        Some(obs.stdout)
    } else if obs.outcome == Outcome::Completed
        && obs.exit_code == Some(1)
        && obs.stderr.contains("No such file or directory")
    {
        None
    } else {
        return Err(format!(
            "{}'s {user_path} could not be read: {}",
            ctx.name,
            obs.failure_reason()
        ));
    };
    let system_text = run
        .read_file(kscreenlocker::SYSTEM_FILE)
        .text_if_present()?
        .map(str::to_string);
    run.fact(
        format!("{prefix}.kscreenlockerrc_user"),
        if user_text.is_some() {
            "present"
        } else {
            "absent (KDE defaults apply)"
        },
    );
    run.fact(
        format!("{prefix}.kscreenlockerrc_system"),
        if system_text.is_some() {
            "present"
        } else {
            "absent"
        },
    );
    let user_file = user_text.as_deref().map(kconfig::parse);
    let system_file = system_text.as_deref().map(kconfig::parse);
    let lock = kscreenlocker::resolve(system_file.as_ref(), user_file.as_ref())?;

    // Facts carry where each value came from; sentences name the key as the person would see
    // it in the file (`Timeout=30 in ~/.config/kscreenlockerrc`, `LockGrace default 5`).
    let src = |key: &str, source: &KdeSource, raw: &Option<String>| match raw {
        Some(raw) => format!("{key}={raw} in {}", source.describe()),
        None => format!("{key} not set: {}", source.describe()),
    };
    let minutes = lock.timeout_minutes.value;
    let idle = (minutes > 0.0).then(|| (minutes * 60.0).round() as u64);
    let grace = lock.lock.value.then_some(lock.lock_grace_seconds.value);
    let timeout_src = src(
        "Timeout",
        &lock.timeout_minutes.source,
        &lock.timeout_minutes.raw,
    );
    let autolock_src = src("Autolock", &lock.autolock.source, &lock.autolock.raw);
    let grace_src = if lock.lock.value {
        src(
            "LockGrace",
            &lock.lock_grace_seconds.source,
            &lock.lock_grace_seconds.raw,
        )
    } else {
        src("Lock", &lock.lock.source, &lock.lock.raw)
    };
    let password_src = src(
        "RequirePassword",
        &lock.require_password.source,
        &lock.require_password.raw,
    );
    let resume_src = src(
        "LockOnResume",
        &lock.lock_on_resume.source,
        &lock.lock_on_resume.raw,
    );
    let value = |v: &dyn std::fmt::Display, source: &str| format!("{v} ({source})");
    run.fact(
        format!("{prefix}.lock_enabled"),
        lock.autolock.value.to_string(),
    );
    run.fact(
        format!("{prefix}.lock_enabled_source"),
        autolock_src.clone(),
    );
    run.fact(
        format!("{prefix}.idle_delay_s"),
        idle.map_or_else(|| format!("never (Timeout={minutes})"), |s| s.to_string()),
    );
    run.fact(format!("{prefix}.idle_delay_source"), timeout_src.clone());
    run.fact(
        format!("{prefix}.lock_delay_s"),
        grace.map_or_else(|| "never (Lock=false)".to_string(), |g| g.to_string()),
    );
    run.fact(format!("{prefix}.lock_delay_source"), grace_src.clone());
    run.fact(
        format!("{prefix}.password_required"),
        lock.require_password.value.to_string(),
    );
    run.fact(
        format!("{prefix}.password_required_source"),
        password_src.clone(),
    );
    run.fact(
        format!("{prefix}.lock_on_resume"),
        value(&lock.lock_on_resume.value, &resume_src),
    );
    Ok(LockSettings {
        auto_lock: Observed::new(lock.autolock.value, autolock_src),
        idle_seconds: Observed::new(idle, timeout_src),
        grace_seconds: Observed::new(grace, grace_src),
        password_required: Observed::new(lock.require_password.value, password_src),
        suspend_lock_seconds: None,
    })
}
