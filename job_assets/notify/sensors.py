"""Run-status sensors: a webhook summary for every finished daily run or backfill (one run per
backfill, by the single-run backfill policy), and the email digest after a success."""

import dagster as dg

from job_assets.jobs import daily_lakehouse_job
from job_assets.notify.digest import SmtpSettings, build_digest, send_digests
from job_assets.notify.run_facts import collect_run_summary, top_new_matches
from job_assets.notify.webhook import post_summary, webhook_secret_from_env, webhook_urls_from_env
from job_assets.ranking.campaigns import active_campaigns, load_campaigns
from job_assets.settings import get_paths


def notify_run(context: dg.RunStatusSensorContext, status: str) -> None:
    urls = webhook_urls_from_env()
    summary = collect_run_summary(
        context.instance, context.dagster_run, status, get_paths().published_dir
    )
    if urls:
        results = post_summary(summary, urls, webhook_secret_from_env())
        for result in results:
            log = context.log.info if result.ok else context.log.warning
            log(
                f"webhook {result.url}: {'delivered' if result.ok else 'FAILED'} "
                f"after {result.attempts} attempt(s) {result.error or ''}"
            )
    if status == "SUCCESS":
        send_campaign_digests(context)


def send_campaign_digests(context: dg.RunStatusSensorContext) -> None:
    settings = SmtpSettings.from_env()
    if settings is None:
        return
    campaigns = load_campaigns()
    published = get_paths().published_dir
    digests = []
    for campaign in active_campaigns(campaigns):
        recipients = list(campaign.notify.email)
        if not recipients:
            continue
        matches = [
            m
            for m in top_new_matches(published, campaign.notify.top_n, campaign.min_score)
            if m.campaign_id == campaign.id
        ]
        message = build_digest(
            campaign.name,
            matches,
            campaigns.reporting_currency,
            campaign.min_score,
            campaign.notify.top_n,
        )
        if message is not None:
            digests.append((recipients, message))
    for result in send_digests(settings, digests):
        log = context.log.info if result.delivered else context.log.warning
        log(
            f"digest '{result.subject}' to {result.recipient}: "
            f"{'sent' if result.delivered else 'FAILED ' + (result.error or '')}"
        )


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[daily_lakehouse_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    name="run_summary_on_success",
)
def run_summary_on_success(context: dg.RunStatusSensorContext):
    """Posts the run summary to JOBS_WEBHOOK_URLS and emails campaign digests."""
    notify_run(context, "SUCCESS")


@dg.run_failure_sensor(
    monitored_jobs=[daily_lakehouse_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    name="run_summary_on_failure",
)
def run_summary_on_failure(context: dg.RunFailureSensorContext):
    """Posts a failure summary naming the failed steps and checks."""
    notify_run(context, "FAILURE")


run_summary_sensors = [run_summary_on_success, run_summary_on_failure]
