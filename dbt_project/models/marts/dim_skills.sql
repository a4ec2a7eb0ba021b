-- Every skill in the taxonomy in force, plus (dim_skills_include_retired, the default) any
-- skill still present in postings after it was removed from the taxonomy (category 'retired'),
-- so the bridge never loses a side when the taxonomy changes. With the var false the dimension
-- is the taxonomy only and a posting skill outside it fails the bridge relationship test.
with taxonomy as (
    select skill, category from {{ ref('stg_lake__skills') }}
),

seen as (
    select distinct unnest(skills) as skill from {{ ref('fact_jobs') }}
),

final as (
    select skill, category from taxonomy
    {%- if var('dim_skills_include_retired') %}
    union all
    select seen.skill, 'retired' as category
    from seen
    anti join taxonomy using (skill)
    {%- endif %}
)

select md5(skill) as skill_key, skill, category from final
