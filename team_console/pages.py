"""The console's HTML, built on the server with team_console/markup.py (every value escaped):
the login form, the figures of a period, the review queue and the error page. No script runs
in any of them; forms post back to the console with their CSRF token."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Sequence

from team_console.auth import CSRF_FIELD
from team_console.charts import day_chart, day_stacks, funnel_chart, legend
from team_console.markup import Html, join, render
from team_console.periods import LAST_DAYS, Choice

TITLE = "Team console"
# The headline figures: (rate key, count key, what the rate is over, card label).
RATES = (
    ("answer_rate", "answered", "conversations", "Answer rate"),
    ("resolution_rate", "resolved", "conversations", "Resolution rate"),
    ("escalation_rate", "escalated", "conversations", "Escalation rate"),
    ("thumbs_up_share", "thumbs_up", "ratings", "Thumbs-up share"),
)
OUTCOMES = (
    ("resolved", "Resolved"),
    ("escalated", "Escalated"),
    ("refused", "Out of scope"),
    ("abandoned", "Abandoned"),
    ("open", "Still open"),
    ("unconfirmed", "Answered, not confirmed"),
    ("no_topic", "No topic recognised"),
)
# The page's name of each entry of figures' "definitions" (others: the key in words).
NAMES = {
    **{rate: label for rate, _, _, label in RATES},
    **dict(OUTCOMES),
    "conversations": "Conversations",
    "top_unanswered": "Top unanswered questions",
    "funnel": "Walk-through steps reached",
}
TOPIC_COLUMNS = ("conversations", "resolved", "escalated", "abandoned", "thumbs_up", "thumbs_down")
# Why an item is in the review queue (team_console/outcomes.py), in the team's words.
REASONS = {
    "fallback": "not understood (fallback)",
    "did_you_mean": 'the assistant asked "did you mean"',
    "low_confidence": "topic recognised with low confidence",
    "out_of_scope": "answered as out of scope",
    "corrected": "the user said the topic was wrong",
    "thumbs_down": "the user gave a thumbs down",
}
DECISIONS = {"topic": "Assign topic", "out_of_scope": "Out of scope", "discard": "Discard"}


def percent(rate: Optional[float]) -> str:
    """0.4286 -> "42.9%"; None (nothing to divide by) -> "–"."""
    if rate is None:
        return "–"
    return f"{rate * 100:.1f}".rstrip("0").rstrip(".") + "%"


def layout(title: str, body: Html, user: Optional[str] = None, csrf: str = "") -> Html:
    return render(
        """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title} – {site}</title>
<link rel="stylesheet" href="/console.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<p class="site">{site}</p>
{nav}
</header>
<main id="main" tabindex="-1">
{body}
</main>
</body>
</html>
""",
        title=title,
        site=TITLE,
        nav=_nav(user, csrf, title) if user else Html(""),
        body=body,
    )


NAVIGATION = (("/", "Figures"), ("/review", "Review queue"), ("/#definitions", "Definitions"))


def _nav(user: str, csrf: str, current: str) -> Html:
    links = (
        render(
            '<li><a href="{href}"{current}>{label}</a></li>',
            href=href,
            label=label,
            current=Html(' aria-current="page"') if label == current else Html(""),
        )
        for href, label in NAVIGATION
    )
    return render(
        """<nav aria-label="Console">
<ul>{links}</ul>
<form method="post" action="/logout" class="logout">
{csrf}<button type="submit">Log out <span class="user">({user})</span></button>
</form>
</nav>""",
        links=join(links),
        csrf=csrf_field(csrf),
        user=user,
    )


def csrf_field(token: str) -> Html:
    return render(
        '<input type="hidden" name="{name}" value="{token}">', name=CSRF_FIELD, token=token
    )


def login_page(csrf: str, message: Optional[str] = None, user: str = "") -> Html:
    body = render(
        """<h1>Log in</h1>
{message}
<form method="post" action="/login" class="login">
{csrf}
<p><label for="user">User name <span class="hint">(optional)</span></label>
<input id="user" name="user" autocomplete="username" value="{user}"></p>
<p><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Log in</button></p>
</form>""",
        message=_alert(message) if message else Html(""),
        csrf=csrf_field(csrf),
        user=user,
    )
    return layout("Log in", body)


def _alert(message: str) -> Html:
    return render('<p class="alert" role="alert">{message}</p>', message=message)


def error_page(status: int, message: str, user: Optional[str] = None, csrf: str = "") -> Html:
    body = render("<h1>{status}</h1>\n<p>{message}</p>", status=status, message=message)
    return layout(str(status), body, user, csrf)


# ---- the figures of a period ----


def figures_page(figures: Dict[str, Any], choice: Choice, user: str, csrf: str) -> Html:
    definitions = figures.get("definitions") or {}
    sections = [
        _period_form(choice),
        _headline(figures, definitions),
        _outcomes(figures, definitions),
        _by_topic(figures.get("by_topic") or []),
        _over_time(figures.get("by_day") or []),
        _unanswered(figures.get("top_unanswered") or [], definitions.get("top_unanswered", "")),
        _funnels(figures.get("funnels") or [], definitions.get("funnel", "")),
        _definitions(definitions),
    ]
    idle = figures.get("idle_minutes")
    body = render(
        '<h1>Figures <span class="period">{first} to {last} (UTC){idle}</span></h1>\n{sections}',
        first=str(choice.first),
        last=str(choice.last),
        idle=f"; idle time {idle:g} minutes" if isinstance(idle, int | float) else "",
        sections=join(sections),
    )
    return layout("Figures", body, user, csrf)


def _period_form(choice: Choice) -> Html:
    links = (
        render(
            '<li><a href="/?days={days}"{current}>Last {days} days</a></li>',
            days=days,
            current=Html(' aria-current="page"') if choice.last_days == days else Html(""),
        )
        for days in LAST_DAYS
    )
    custom = choice.last_days is None
    return render(
        """<section class="period-choice" aria-label="Period">
<ul class="quick">{links}</ul>
<form method="get" action="/" class="dates">
<p><label for="from">From</label> <input id="from" name="from" type="date" value="{first}"></p>
<p><label for="to">To</label> <input id="to" name="to" type="date" value="{last}"></p>
<p><button type="submit">Show</button></p>
</form>
{notice}
</section>""",
        links=join(links),
        first=str(choice.first) if custom else "",
        last=str(choice.last) if custom else "",
        notice=_alert(choice.notice) if choice.notice else Html(""),
    )


def _headline(figures: Dict[str, Any], definitions: Dict[str, str]) -> Html:
    conversations = int(figures.get("conversations") or 0)
    ratings = int(figures.get("thumbs_up") or 0) + int(figures.get("thumbs_down") or 0)
    over = {"conversations": conversations, "ratings": ratings}
    cards = [_card("Conversations", str(conversations), "", definitions.get("conversations", ""))]
    for rate_key, count_key, base, label in RATES:
        detail = f"{int(figures.get(count_key) or 0)} of {over[base]} {base}"
        cards.append(
            _card(label, percent(figures.get(rate_key)), detail, definitions.get(rate_key, ""))
        )
    return render(
        '<section aria-labelledby="h-headline">\n<h2 id="h-headline">In short</h2>\n'
        '<dl class="cards">{cards}</dl>\n</section>',
        cards=join(cards),
    )


def _card(label: str, value: str, detail: str, definition: str) -> Html:
    return render(
        '<div class="card"><dt>{label}</dt><dd class="value">{value}</dd>'
        '<dd class="detail">{detail}</dd><dd class="definition">{definition}</dd></div>',
        label=label,
        value=value,
        detail=detail,
        definition=definition,
    )


def _outcomes(figures: Dict[str, Any], definitions: Dict[str, str]) -> Html:
    conversations = int(figures.get("conversations") or 0)
    rows = []
    for key, label in OUTCOMES:
        count = int(figures.get(key) or 0)
        share = percent(count / conversations if conversations else None)
        rows.append([label, str(count), share, definitions.get(key, "")])
    headers = ["Outcome", "Conversations", "Share", "Meaning"]
    table = _table("How conversations ended", headers, rows)
    return _section("h-outcomes", "How conversations ended", table)


def _by_topic(by_topic: Sequence[Dict[str, Any]]) -> Html:
    headers = ["Topic", "Conversations", "Resolved", "Escalated", "Abandoned"]
    headers += ["Thumbs up", "Thumbs down"]
    rows = [[str(t.get("topic"))] + [str(t.get(k) or 0) for k in TOPIC_COLUMNS] for t in by_topic]
    content = (
        _table("Conversations by topic", headers, rows)
        if rows
        else _empty("No topic was recognised in this period.")
    )
    return _section("h-topics", "By topic", content)


def _over_time(by_day: Sequence[Dict[str, Any]]) -> Html:
    chart = day_chart(by_day, "chart-days", "Conversations per day, by outcome")
    headers = ["Day", "Conversations", "Resolved", "Escalated", "Out of scope", "Abandoned"]
    headers.append("Other")
    rows = [
        [str(day.get("day")), str(int(day.get("conversations") or 0))]
        + [str(count) for _, count in day_stacks(day)]
        for day in by_day
    ]
    table = _table("Conversations per day", headers, rows)
    content = render(
        '<figure class="chart-box">{chart}<figcaption>{legend}</figcaption></figure>\n'
        "<details><summary>The numbers of each day</summary>{table}</details>",
        chart=chart,
        legend=legend(),
        table=table,
    )
    return _section("h-days", "Over time", content)


def _unanswered(top: Sequence[Dict[str, Any]], definition: str) -> Html:
    rows = [[str(q.get("text", "")), str(q.get("count", 0)), reason(q.get("reason"))] for q in top]
    content = (
        _table("Top unanswered questions", ["Question (masked)", "Times", "Why"], rows)
        if rows
        else _empty("Every question of this period was answered.")
    )
    return _section("h-unanswered", "Top unanswered questions", content, definition)


def _funnels(funnels: Sequence[Dict[str, Any]], definition: str) -> Html:
    heading = "Walk-throughs: steps reached"
    if not funnels:
        return _section("h-funnels", heading, _empty("No walk-through was started."), definition)
    blocks = []
    for index, funnel in enumerate(funnels):
        name = f"{funnel.get('topic')} ({funnel.get('path')})"
        chart = funnel_chart(
            list(funnel.get("steps") or []), f"funnel-{index}", f"Steps reached: {name}"
        )
        blocks.append(
            render(
                '<h3>{name}</h3>\n<figure class="chart-box">{chart}</figure>',
                name=name,
                chart=chart,
            )
        )
    return _section("h-funnels", heading, join(blocks), definition)


def _definitions(definitions: Dict[str, str]) -> Html:
    items = (
        render("<dt>{name}</dt><dd>{text}</dd>", name=definition_name(name), text=text)
        for name, text in definitions.items()
    )
    return render(
        '<section id="definitions" aria-labelledby="h-definitions" tabindex="-1">\n'
        '<h2 id="h-definitions">Definitions</h2>\n<dl class="definitions">{items}</dl>\n</section>',
        items=join(items),
    )


def definition_name(key: str) -> str:
    return NAMES.get(key) or key.replace("_", " ").capitalize()


def _section(heading_id: str, heading: str, content: Html, definition: str = "") -> Html:
    return render(
        '<section aria-labelledby="{id}">\n<h2 id="{id}">{heading}</h2>\n{definition}'
        "{content}\n</section>",
        id=heading_id,
        heading=heading,
        definition=render('<p class="definition">{d}</p>\n', d=definition) if definition else "",
        content=content,
    )


def _empty(text: str) -> Html:
    return render('<p class="empty">{text}</p>', text=text)


def _table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> Html:
    """A table in a scrolling box (focusable, so a keyboard can scroll it on a phone)."""
    head = join(render('<th scope="col">{text}</th>', text=text) for text in headers)
    body = join(
        render(
            "<tr>{cells}</tr>",
            cells=join(
                render('<th scope="row">{v}</th>' if i == 0 else "<td>{v}</td>", v=value)
                for i, value in enumerate(row)
            ),
        )
        for row in rows
    )
    return render(
        '<div class="table-box" role="region" aria-label="{caption}" tabindex="0">'
        "<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
        "<tbody>{body}</tbody></table></div>",
        caption=caption,
        head=head,
        body=body,
    )


# ---- the review queue ----


def review_page(
    items: List[Dict[str, Any]],
    topics: Sequence[str],
    user: str,
    csrf: str,
    flash: Optional[Dict[str, Any]] = None,
) -> Html:
    forms = [_review_item(item, topics, csrf) for item in items]
    body = render(
        """<h1>Review queue</h1>
{flash}
<p class="intro">Messages the assistant was unsure about, newest first. Assign a topic to add
the text (edited if need be) to the training data, confirm it is out of scope, or discard it.
Addresses are masked.</p>
{items}""",
        flash=decision_message(flash) if flash else Html(""),
        items=join(forms) if forms else _empty("Nothing to review."),
    )
    return layout("Review queue", body, user, csrf)


def _review_item(item: Dict[str, Any], topics: Sequence[str], csrf: str) -> Html:
    item_id = str(item.get("id"))
    predicted = item.get("predicted") or ""
    confidence = item.get("confidence")
    guess = predicted or "none"
    if confidence is not None:
        guess += f" ({float(confidence):.2f})"
    # no topic chosen unless the guess is one: an unread item is never labelled by default
    unchosen = Html("" if predicted in topics else " selected")
    options = join(
        [render('<option value=""{selected}>Choose a topic…</option>', selected=unchosen)]
        + [
            render(
                '<option value="{topic}"{selected}>{topic}</option>',
                topic=topic,
                selected=Html(" selected") if topic == predicted else Html(""),
            )
            for topic in topics
        ]
    )
    buttons = join(
        render(
            '<button type="submit" name="decision" value="{value}">{label}</button>',
            value=v,
            label=label,
        )
        for v, label in DECISIONS.items()
    )
    return render(
        """<article class="item" aria-labelledby="item-{id}-h">
<h2 id="item-{id}-h">Message of {created}</h2>
<dl class="meta"><dt>Predicted topic</dt><dd>{guess}</dd>
<dt>Why it is here</dt><dd>{reason}</dd></dl>
<form method="post" action="/review/{id}">
{csrf}
<p><label for="item-{id}-text">Text (masked; edit it before accepting)</label>
<textarea id="item-{id}-text" name="text" rows="3" maxlength="500">{text}</textarea></p>
<p><label for="item-{id}-topic">Topic</label>
<select id="item-{id}-topic" name="topic">{options}</select></p>
<p class="actions">{buttons}</p>
</form>
</article>""",
        id=item_id,
        created=str(item.get("created", "")).replace("T", " ")[:16],
        guess=guess,
        reason=reason(item.get("reason")),
        csrf=csrf_field(csrf),
        text=item.get("text") or "",
        options=options,
        buttons=buttons,
    )


def reason(code: Optional[str]) -> str:
    return REASONS.get(code or "", code or "")


def decision_message(flash: Dict[str, Any]) -> Html:
    """What the last decision did, in words: written where, refused why, or an input error."""
    if flash.get("error"):
        return _alert(flash["error"])
    decision, topic = flash.get("decision"), flash.get("topic")
    if flash.get("refused"):
        text = f"Not added to {flash.get('file')}: {flash['refused']}."
    elif flash.get("written"):
        kind = f"an example of {topic}" if decision == "topic" else "an out-of-scope example"
        text = f"Added to {flash.get('file')} as {kind}."
    elif decision == "discard":
        text = "Discarded: nothing was written."
    else:
        text = f"Recorded ({flash.get('status')}); nothing was written."
    return render('<p class="notice" role="status">{text}</p>', text=text)
