//! Backups the server writes itself, every `--backup-every`, while it goes on serving.

use std::sync::Arc;

use tokio::sync::watch;

use crate::app::App;
use crate::config::BackupScheduleArgs;

/// Writes a backup into `--backup-dir` every `--backup-every` (none when unset), keeps the last
/// `--backup-keep`, and reports each on `/metrics`. A failure is logged and counted; the next
/// one is tried on time.
pub fn spawn_schedule(app: Arc<App>, args: &BackupScheduleArgs, mut stop: watch::Receiver<bool>) {
    let Some(every) = args.backup_every.filter(|every| !every.is_zero()) else { return };
    let (folder, keep) = (args.backup_dir.clone(), args.backup_keep as usize);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.wait_for(|stop| *stop) => return,
            }
            let dest = folder.join(super::timestamped_name());
            let written = match std::fs::create_dir_all(&folder) {
                Ok(()) => super::write_backup(&app.store, &dest, &mut |_, _, _| {}).await,
                Err(err) => Err(anyhow::Error::from(err).context(format!("creating {}", folder.display()))),
            };
            match written {
                Ok(manifest) => {
                    app.metrics.backup_written(manifest.created_unix, manifest.bytes);
                    tracing::info!(backup = %dest.display(), bytes = manifest.bytes, "scheduled backup written");
                    if let Err(err) = super::prune(&dest, keep, "portald-backup-", ".sqlite") {
                        tracing::warn!(error = %format!("{err:#}"), "removing old scheduled backups");
                    }
                }
                Err(err) => {
                    app.metrics.backup_failed();
                    tracing::error!(error = %format!("{err:#}"), "scheduled backup failed");
                }
            }
        }
    });
}
