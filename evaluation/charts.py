"""Server-rendered SVG charts: no script, no CDN, readable in a PDF and in print."""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

WIDTH, HEIGHT, PAD = 640, 260, 40


def volume_chart_svg(*, months: list[dict]) -> SafeString:
    """Monthly amounts as bars, the cumulative amount and the cumulative target as lines."""
    peak = max(
        [Decimal("1")]
        + [m["cumulative"] for m in months]
        + [m["target_cumulative"] for m in months]
        + [m["amount"] for m in months]
    )
    plot_w, plot_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = Decimal(plot_w) / 12

    def y(value: Decimal) -> str:
        value = max(value, Decimal("0"))
        return f"{PAD + plot_h - float(value / peak) * plot_h:.1f}"

    def x(index: int) -> str:
        return f"{PAD + float(step) * (index + 0.5):.1f}"

    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" class="bar"><title>{}月 ¥{}</title></rect>',
        (
            (
                f"{PAD + float(step) * i + 4:.1f}",
                y(m["amount"]),
                f"{float(step) - 8:.1f}",
                f"{PAD + plot_h - float(y(m['amount'])):.1f}",
                m["month"],
                f"{m['amount']:,.2f}",
            )
            for i, m in enumerate(months)
        ),
    )
    actual = " ".join(f"{x(i)},{y(m['cumulative'])}" for i, m in enumerate(months))
    target = " ".join(f"{x(i)},{y(m['target_cumulative'])}" for i, m in enumerate(months))
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle">{}</text>',
        ((x(i), HEIGHT - PAD + 16, m["month"]) for i, m in enumerate(months)),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="{label}" class="volume-chart" font-size="11">'
        "<style>.bar{{fill:#9cc3e6}}.actual{{fill:none;stroke:#1f5f99;stroke-width:2}}"
        ".target{{fill:none;stroke:#c0392b;stroke-width:2;stroke-dasharray:6 4}}</style>"
        '<line x1="{p}" y1="{base}" x2="{right}" y2="{base}" stroke="#888"/>'
        "{bars}"
        '<polyline class="actual" points="{actual}"/>'
        '<polyline class="target" points="{target}"/>'
        "{labels}"
        '<text x="{p}" y="16">{legend_bar} · {legend_actual} · {legend_target}</text>'
        '<text x="{p}" y="30">{peak_label} ¥{peak}</text>'
        "</svg>",
        w=WIDTH,
        h=HEIGHT,
        label=_("月度采购额与目标"),
        p=PAD,
        base=PAD + plot_h,
        right=WIDTH - PAD,
        bars=bars,
        actual=actual,
        target=target,
        labels=labels,
        legend_bar=_("柱：当月采购额"),
        legend_actual=_("蓝线：累计采购额"),
        legend_target=_("红虚线：累计目标"),
        peak_label=_("纵轴最大值"),
        peak=f"{peak:,.2f}",
    )
