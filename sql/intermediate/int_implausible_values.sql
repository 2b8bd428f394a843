-- Cells whose rate lies outside the plausible range of the indicator's unit (e.g. a share above 100 %).
select
    cells.indicator_id,
    cells.year,
    cells.district_id,
    cells.numerator,
    cells.denominator,
    cells.numerator * raw_indicators.multiplier / cells.denominator as rate,
    raw_indicators.range_min,
    raw_indicators.range_max
from int_indicator_cells as cells
inner join raw_indicators using (indicator_id)
where cells.denominator > 0
    and cells.numerator is not null
    and (
        cells.numerator * raw_indicators.multiplier / cells.denominator < raw_indicators.range_min
        or cells.numerator * raw_indicators.multiplier / cells.denominator > raw_indicators.range_max
        or cells.numerator < 0
    )
order by all
