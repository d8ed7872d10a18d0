from ..models import LineTrace


def line_traces_ensure(*, line_ids) -> dict[int, str]:
    """Trace codes of the lines, creating those not made at settlement yet. {line id: code}"""
    line_ids = set(line_ids)
    codes = dict(LineTrace.objects.filter(line_id__in=line_ids).values_list("line_id", "code"))
    missing = sorted(line_ids - set(codes))
    if missing:
        LineTrace.objects.bulk_create(
            [LineTrace(line_id=pk) for pk in missing], ignore_conflicts=True
        )
        codes = dict(LineTrace.objects.filter(line_id__in=line_ids).values_list("line_id", "code"))
    return codes
