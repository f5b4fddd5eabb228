//! `komhen questionnaire`: the questionnaires of the national periods and
//! their results, as the results page shows them (per question a table)
//! or as its CSV download (one row per response, one column per question).
//! Every figure is `komhen_core::questionnaire`'s; this module only reads
//! arguments and prints.

use crate::report::print_aligned;
use clap::{Args, Subcommand};
use komhen_core::questionnaire::{self, Grouping};
use komhen_domain::{PeriodId, QuestionnaireId};
use komhen_store::{Audience, Store};
use std::io::Write;

#[derive(Debug, Subcommand)]
pub enum QuestionnaireCommand {
    /// Print the questionnaires: id, period, audience, state, responses and
    /// title.
    List(ListArgs),
    /// A questionnaire's results: per question a table (or with --csv one
    /// row per response and one column per question).
    Results(ResultsArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only the questionnaires of this national period (its id).
    #[arg(long)]
    periode: Option<i64>,
}

#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// The questionnaire's id (see `komhen questionnaire list`).
    id: i64,
    /// Print every response as CSV instead.
    #[arg(long)]
    csv: bool,
}

pub async fn run(store: &dyn Store, command: QuestionnaireCommand) -> anyhow::Result<()> {
    match command {
        QuestionnaireCommand::List(args) => {
            for q in questionnaire::list(store, args.periode.map(PeriodId)).await? {
                let responses = store.list_questionnaire_responses(q.id, None).await?.len();
                println!(
                    "{}\tperiode {}\t{}\t{}\t{} svar\t{}",
                    q.id,
                    q.period,
                    q.audience.code(),
                    q.state.code(),
                    responses,
                    q.title
                );
            }
            Ok(())
        }
        QuestionnaireCommand::Results(args) => {
            let q = questionnaire::load(store, QuestionnaireId(args.id)).await?;
            let results = questionnaire::results(store, q, None).await?;
            if args.csv {
                std::io::stdout().write_all(&questionnaire::responses_table(&results).csv()?)?;
                return Ok(());
            }
            println!(
                "{} ({} svar)",
                results.questionnaire.row.title,
                results.responses.len()
            );
            if results.questionnaire.row.audience == Audience::Unit {
                for grouping in [Grouping::Department, Grouping::Unit] {
                    println!();
                    print_aligned(&questionnaire::grouped_table(&results, grouping));
                }
            }
            for r in &results.questions {
                println!();
                println!(
                    "{}. {} ({} har svaret)",
                    r.question.position, r.question.text, r.answered
                );
                print_aligned(&questionnaire::question_table(r));
            }
            Ok(())
        }
    }
}
