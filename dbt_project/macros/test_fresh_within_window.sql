{% test fresh_within_window(model, column_name, max_lag_days=1) %}
-- The newest date in column_name must reach the last day of the partition window (vars
-- min_date/max_date, half-open), give or take max_lag_days. The window end is capped at
-- tomorrow so a run with the default (open) window checks against today. One failing row
-- (the newest date and the date it should have reached) when stale.
with newest as (
    select max({{ column_name }})::date as newest_date from {{ model }}
),

expected as (
    select
        least('{{ var("max_date") }}'::date, current_date + 1) - 1 as window_last_day
)

select newest.newest_date, expected.window_last_day
from newest
cross join expected
where newest.newest_date is null
    or newest.newest_date < expected.window_last_day - {{ max_lag_days }}::integer
{% endtest %}
