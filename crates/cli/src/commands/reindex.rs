//! `gongkai reindex`: rebuilds this data directory's search index from the database.

use crate::*;

/// Runs the command.
pub(crate) async fn run(file: config::FileConfig, data: DataArgs) -> Result<ExitCode> {
    let (store, settings) = open_store(file, &data).await?;
    let indexer = gongkai_work::indexing::Indexer::open(&settings.data.join("index"))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    let n = indexer
        .rebuild(&store, |done| eprint!("\r已索引 {done} 条（indexed）"))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!();
    println!(
        "搜索索引已重建：{n} 条，耗时 {:.1} 秒（index rebuilt）",
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
