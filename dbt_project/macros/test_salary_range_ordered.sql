{% test salary_range_ordered(model, min_column, max_column) %}
-- Rows whose minimum is above their maximum (both known). Normalization should never let one
-- through; when one slips past, everything downstream (benchmarks, ranking) would be wrong.
select *
from {{ model }}
where {{ min_column }} is not null
    and {{ max_column }} is not null
    and {{ min_column }} > {{ max_column }}
{% endtest %}
