//! `gongkai audit verify`: checks the whole audit hash chain.

use crate::*;

/// Runs the command.
pub(crate) async fn verify(file: config::FileConfig, data: DataArgs) -> Result<ExitCode> {
    let (store, _) = open_store(file, &data).await?;
    let report = store.verify_audit().await?;
    store.close().await;
    Ok(match report.problem {
        None => {
            println!(
                "审计链完整（audit chain intact）：共 {} 条记录",
                report.entries
            );
            ExitCode::SUCCESS
        }
        Some(problem) => {
            eprintln!(
                "审计链被篡改（audit chain broken）：{problem}；此前 {} 条记录校验通过",
                report.entries
            );
            ExitCode::from(1)
        }
    })
}
