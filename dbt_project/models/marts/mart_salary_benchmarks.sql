-- Yearly salary in the reporting currency (range midpoint) by title family x country x
-- seniority, over active and closed postings alike, one posting per near-duplicate cluster.
with salaries as (
    select
        title_family,
        coalesce(country, 'unknown') as country,
        seniority,
        (coalesce(salary_min_norm, salary_max_norm) + coalesce(salary_max_norm, salary_min_norm))
            / 2.0 as salary_mid
    from {{ ref('fact_jobs') }}
    where has_salary and is_cluster_representative
)

select
    title_family,
    country,
    seniority,
    '{{ var("reporting_currency") }}' as reporting_currency,
    quantile_cont(salary_mid, 0.25) as p25,
    quantile_cont(salary_mid, 0.50) as p50,
    quantile_cont(salary_mid, 0.75) as p75,
    count(*) as sample_size
from salaries
group by all
