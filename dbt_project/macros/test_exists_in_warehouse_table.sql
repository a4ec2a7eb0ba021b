{% test exists_in_warehouse_table(model, column_name, table, field) %}
-- Like `relationships`, but names the parent table without ref(): the parent is built by
-- another dbt invocation (the models upstream of the ranking), and a ref() here would pull this
-- test into that invocation before this model exists.
{%- set parent = api.Relation.create(database=target.database, schema=target.schema, identifier=table) -%}
select child.{{ column_name }}
from {{ model }} as child
left join {{ parent }} as parent on parent.{{ field }} = child.{{ column_name }}
where child.{{ column_name }} is not null and parent.{{ field }} is null
{% endtest %}
