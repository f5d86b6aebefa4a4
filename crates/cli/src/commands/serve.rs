//! `gongkai serve`: the server, its background work and graceful shutdown.

use crate::*;

/// Runs the server until SIGTERM or SIGINT.
pub(crate) async fn serve(settings: config::Settings, demo: bool, started: Instant) -> Result<()> {
    let store = open_settings(&settings).await?;
    store
        .disclosure()
        .ensure_standard_catalog(&Actor::system("system"))
        .await?;
    if demo {
        demo::load(&store, demo::DEMO_ITEMS).await?;
    }
    let indexer = std::sync::Arc::new(
        gongkai_work::indexing::Indexer::open(&settings.data.join("index"))
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    indexer
        .sync(&store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let state = gongkai_web::AppState::new(store.clone(), settings.web.clone(), indexer.clone())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    state.mark_synced();
    let app = gongkai_web::app(state.clone());
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .with_context(|| {
            format!(
                "无法监听 {}（address in use or not permitted）",
                settings.addr
            )
        })?;
    let local = listener.local_addr()?;
    if demo {
        print!("{}", demo::login_table(&local.to_string()));
    }
    let backend = match store.backend() {
        gongkai_store::Backend::Sqlite => "SQLite",
        gongkai_store::Backend::Postgres => "PostgreSQL",
    };
    let signal = shutdown_signal()?;
    // on the signal: not ready any more, and the periodic work's lease handed over at once
    let stopping = state.clone();
    let shutdown = async move {
        signal.await;
        gongkai_web::work::stop(&stopping).await;
    };
    println!(
        "gongkai 已启动：http://{local}/ （{backend}，启动耗时 {} ms）",
        started.elapsed().as_millis()
    );
    tracing::info!(addr = %local, backend, startup_ms = started.elapsed().as_millis() as u64, "listening");

    // Background work: periodic tasks and job workers, declared in gongkai_web::work.
    let background = gongkai_web::work::spawn(&state);
    server::serve(
        listener,
        app,
        server::Limits {
            header_timeout: std::time::Duration::from_secs(settings.header_timeout_secs),
            per_address: settings.max_connections_per_address,
            exempt: settings.web.trusted_proxies.clone(),
        },
        shutdown,
    )
    .await?;
    for task in background {
        task.abort();
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Listens for SIGTERM and SIGINT. The handlers are registered when this is called — before the
/// server says it is ready — so a signal that arrives right after start-up still shuts down
/// gracefully instead of killing the process.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("无法注册 SIGTERM 处理")?;
        let mut int = signal(SignalKind::interrupt()).context("无法注册 SIGINT 处理")?;
        Ok(async move {
            tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
            tracing::info!("shutting down: finishing in-flight requests");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down: finishing in-flight requests");
        })
    }
}
