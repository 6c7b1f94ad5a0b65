//! The running service: state shared by every request, and starting and stopping the server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono_tz::Tz;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{HostMap, PortalArgs, ServeArgs};
use crate::domain::people;
use crate::domain::photos::{self, FetchPolicy};
use crate::domain::tasks::{self, TaskWaker};
use crate::error::ApiError;
use crate::http::answers::Answers;
use crate::http::metrics::Metrics;
use crate::model::PortalId;
use crate::store::Store;

/// Settings the request path reads.
#[derive(Debug, Clone)]
pub struct Settings {
    pub hosts: HostMap,
    pub time_zone: Tz,
    pub token_lifetime: Duration,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub photo_fetch: FetchPolicy,
    /// `scheme://host[:port]` that links in mail point to.
    pub public_url: String,
}

/// What every request shares.
pub struct App {
    pub store: Store,
    pub settings: Settings,
    pub metrics: Metrics,
    /// Wakes this process's background task runner.
    pub tasks: TaskWaker,
    /// Answers kept while the database holds the same snapshot.
    pub answers: Answers,
}

/// A server listening in the background.
pub struct Server {
    pub addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<std::io::Result<()>>,
    app: Arc<App>,
}

impl Server {
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Stops accepting connections, lets requests in flight finish, then returns.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        self.task.await.context("server task")??;
        self.app.store.close().await;
        Ok(())
    }

    /// Waits until the server stops (after a shutdown signal it received itself).
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await.context("server task")??;
        self.app.store.close().await;
        Ok(())
    }

    /// The sender that asks the server to stop.
    pub fn shutdown_handle(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
    }
}

/// Opens and migrates the database, bootstraps the configured portals, and serves.
pub async fn start(args: &ServeArgs) -> anyhow::Result<Server> {
    let mailer = crate::mailer::Mailer::new(&args.mail)?;
    let store = Store::connect(&args.database).await?;
    crate::backup::upgrade(&store, args.upgrade.upgrade_backups).await?;
    bootstrap(&store, &args.portal).await?;
    let store = store.keep_between_requests().await?;
    let listener = TcpListener::bind(args.bind).await.with_context(|| format!("cannot listen on {}", args.bind))?;
    let addr = listener.local_addr()?;
    let app = Arc::new(App {
        store,
        settings: Settings {
            hosts: args.portal.hosts.clone(),
            time_zone: args.portal.time_zone,
            token_lifetime: args.token_lifetime,
            max_body_bytes: args.max_body_bytes,
            request_timeout: args.request_timeout,
            photo_fetch: FetchPolicy {
                hosts: args
                    .photo_fetch
                    .photo_url_hosts
                    .iter()
                    .map(|h| h.trim().to_ascii_lowercase())
                    .filter(|h| !h.is_empty())
                    .collect(),
                allow_private: args.photo_fetch.photo_url_private,
                timeout: args.photo_fetch.photo_url_timeout,
                max_bytes: photos::MAX_PHOTO_BYTES,
            },
            public_url: crate::mailer::public_url(&args.mail, addr)?,
        },
        metrics: Metrics::default(),
        tasks: TaskWaker::default(),
        answers: Answers::default(),
    });
    let router = crate::http::router(app.clone());
    let (shutdown, mut stop) = watch::channel(false);
    let task = tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|stop| *stop).await;
            })
            .await
    });
    spawn_housekeeping(app.clone(), shutdown.subscribe());
    spawn_count_folding(app.clone(), shutdown.subscribe());
    crate::backup::spawn_schedule(app.clone(), &args.backup, shutdown.subscribe());
    mailer.spawn(app.store.clone(), shutdown.subscribe());
    tasks::spawn_runner(app.store.clone(), app.tasks.clone(), shutdown.subscribe());
    tracing::info!(%addr, "portald is listening");
    Ok(Server { addr, shutdown, task, app })
}

/// Creates each configured portal and its owner on first start, printing a generated password.
pub async fn bootstrap(store: &Store, portal: &PortalArgs) -> anyhow::Result<()> {
    for id in portal.hosts.portal_ids().into_iter().map(PortalId) {
        let generated = people::bootstrap_portal(store, id, &portal.owner_email, portal.owner_password.as_deref())
            .await
            .map_err(ApiError::into_cause)
            .with_context(|| format!("creating the owner of portal {id}"))?;
        crate::domain::contacts::ensure_defaults(store, id)
            .await
            .map_err(ApiError::into_cause)
            .with_context(|| format!("creating the CRM defaults of portal {id}"))?;
        if let Some(password) = generated {
            println!(
                "Portal {id}: created the owner {} with the password {password} (shown only this once)",
                portal.owner_email
            );
        }
    }
    Ok(())
}

/// Runs `work` now and then every `period` until the server stops.
fn spawn_every<F, Fut>(period: Duration, mut stop: watch::Receiver<bool>, mut work: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.wait_for(|stop| *stop) => return,
            }
            work().await;
        }
    });
}

/// Folds the contact totals' appended rows every second (PostgreSQL; see
/// `Store::fold_contact_counts`), at start first, after whatever a CLI command wrote.
fn spawn_count_folding(app: Arc<App>, stop: watch::Receiver<bool>) {
    spawn_every(Duration::from_secs(1), stop, move || {
        let app = app.clone();
        async move {
            if let Err(err) = app.store.fold_contact_counts().await {
                tracing::warn!(error = %err, "folding the contact totals");
            }
        }
    });
}

/// Deletes expired tokens and old failed-login records once an hour.
fn spawn_housekeeping(app: Arc<App>, stop: watch::Receiver<bool>) {
    spawn_every(Duration::from_secs(3600), stop, move || {
        let app = app.clone();
        async move {
            let now = chrono::Utc::now();
            if let Err(err) = app.store.purge_expired_tokens(now).await {
                tracing::warn!(error = %err, "purging expired tokens");
            }
            let window = chrono::Duration::from_std(crate::domain::auth::FAILURE_WINDOW).unwrap_or_default();
            if let Err(err) = app.store.purge_login_failures(now - window).await {
                tracing::warn!(error = %err, "purging old login failures");
            }
            if let Err(err) = app.store.purge_user_links(now - chrono::Duration::days(7)).await {
                tracing::warn!(error = %err, "purging expired mail links");
            }
        }
    });
}
