"""What a POST is answered with when it is not simply done: a repeat (what the first did), a
key used for something else, a refusal, a first still running; and the page opened with a
used key."""

from django.contrib import admin, messages
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from apps.toolkit.models import Submission
from apps.toolkit.submissions.keys import FIELD, HEADER, body_digest


def _stamp(first: Submission) -> str:
    when = timezone.localtime(first.created_at)
    if when.date() == timezone.localdate():
        return when.strftime("%H:%M")
    return when.strftime("%d %b %Y %H:%M")


def _what_it_did(first: Submission):
    said = [
        mark_safe(text) if safe else conditional_escape(text)  # HTML as it was sent
        for _, text, safe in first.said
    ]
    return mark_safe(" ".join(said)) if said else "it was saved."  # escaped above


def done_message(first: Submission):
    """ "Already done at 14:02 by warehouse@… — sent twice, done once: <what it did>"."""
    return format_html(
        "Already done at {} by {} — this was sent twice and done once: {}",
        _stamp(first),
        first.user.email,
        _what_it_did(first),
    )


def wants_json(request) -> bool:
    """A script's request (the list's switches send the key as a header), not a form's."""
    return bool(request.headers.get(HEADER)) or "application/json" in request.headers.get(
        "Accept", ""
    )


def replay(request, first: Submission):
    if first.body != body_digest(request):
        return other_body(request, first)
    message = done_message(first)
    answer = first.answer if isinstance(first.answer, dict) else None
    if answer is not None and "page" in answer:
        return HttpResponse(answer["page"])
    if answer is not None or wants_json(request):
        return JsonResponse({**(answer or {}), "repeated": True, "message": str(message)})
    if first.redirect_to or FIELD not in request.GET:  # else its page, drawn again, says it
        messages.info(request, message)
    return HttpResponseRedirect(first.redirect_to or request.get_full_path())


def other_body(request, first: Submission):
    """A page whose key was used already, sent with something else (a duplicated tab, an
    address opened twice): not done, and what was typed is shown, to be sent afresh."""
    reason = format_html(
        "This page was already sent at {} by {}: {} What you sent now is different, so it "
        "was not done",
        _stamp(first),
        first.user.email,
        _what_it_did(first),
    )
    return refuse(request, reason, typed=typed(request), status=409)


def typed(request) -> list[tuple[str, str]]:
    """What a refused form held, to copy from: the fields a person types (no keys, tokens,
    passwords or hidden state)."""
    skipped = (FIELD, "csrfmiddlewaretoken", "seen_state", "index", "action", "select_across")
    return [
        (name.replace("_", " ").capitalize(), value)
        for name, values in request.POST.lists()
        if name not in skipped and "password" not in name and not name.startswith("_")
        for value in values
        if value.strip()
    ][:20]


def refuse(request, reason, *, typed=(), status=400):
    reason = format_html(
        "{}: nothing was saved. Open the page again and send it from there.", reason
    )
    if wants_json(request):
        return JsonResponse({"error": str(reason)}, status=status)
    query = request.GET.copy()
    query.pop(FIELD, None)  # the page opened afresh, with a key of its own
    context = {
        **admin.site.each_context(request),
        "title": "Not sent",
        "reason": reason,
        "typed": typed,
        "again_url": f"{request.path}?{query.urlencode()}" if query else request.path,
    }
    return TemplateResponse(request, "toolkit/not_sent.html", context, status=status)


def busy(request):
    text = (
        "This was sent twice and the first is still being saved: its result shows here when it "
        "is done. Nothing was done twice."
    )
    if wants_json(request):
        return JsonResponse({"error": text}, status=409)
    messages.warning(request, text)
    return HttpResponseRedirect(request.get_full_path())


def already_done_page(request, first: Submission):
    fresh = request.GET.copy()
    fresh.pop(FIELD, None)
    context = {
        **admin.site.each_context(request),
        "title": "Already done",
        "message": done_message(first),
        "result_url": first.redirect_to,
        "again_url": f"{request.path}?{fresh.urlencode()}" if fresh else request.path,
        "again_label": "Use this page again",
    }
    return TemplateResponse(request, "toolkit/already_done.html", context)
