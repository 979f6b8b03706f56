"""Charts drawn with pyqtgraph from plain data, on screen and off-screen at any size.

    style.py          ChartStyle: points → device pixels for a dpi, colours or greys, grades
    axes.py           FiscalYearAxis (whole years only), ValueAxis (thousands separators)
    items.py          wrapped text, legend, and the device-coordinate drawing layer
    base.py           ChartView: layout for a size, render into a QImage/QPdfWriter/QSvgGenerator
    kpi_chart.py      KpiChart: one KPI's progress (from services.dto.KpiDetail)
    overview_chart.py AchievementChart, GradeCountChart (plan / pillar / measure, one year)
    export.py         presets, PNG with dpi, SVG, PDF, clipboard, Windows-safe file names
    batch.py          many KPI charts, stepwise with progress and cancel

The GUI (ui/chart_panel.py), the batch dialog, `aomori-desktop export charts` and later the
reports share this one drawing code. See docs/charts.md.
"""
