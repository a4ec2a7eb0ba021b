{% test row_count_drop(model, date_column, lookback_days=7, max_drop_share=0.5, min_history_days=3) %}
-- Days inside the partition window whose row count fell more than max_drop_share below the
-- median of the lookback_days before them (needs min_history_days of history to judge).
-- Days with no rows at all count as zero. Meant as severity warn: a quiet day is not an error.
with window_days as (
    select unnest(generate_series(
        '{{ var("min_date") }}'::date,
        least('{{ var("max_date") }}'::date, current_date + 1) - 1,
        interval 1 day
    ))::date as day
),

daily as (
    select {{ date_column }}::date as day, count(*) as row_count
    from {{ model }}
    group by 1
),

judged as (
    select
        window_days.day,
        coalesce(today.row_count, 0) as row_count,
        median(history.row_count) as trailing_median,
        count(history.row_count) as history_days
    from window_days
    left join daily as today on today.day = window_days.day
    left join daily as history
        on history.day >= window_days.day - {{ lookback_days }}::integer
        and history.day < window_days.day
    where window_days.day >= (select min(day) from daily)
        and window_days.day <= (select max(day) from daily)
    group by all
)

select *
from judged
where history_days >= {{ min_history_days }}
    and row_count < (1 - {{ max_drop_share }}) * trailing_median
{% endtest %}
