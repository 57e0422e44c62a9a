"""``Server-Timing: app;dur=…`` on every response of the benchmark's servers: the time the
worker spent on the request, middleware included, as bench/admin.py reports it (the client's
own time, on the same two cores, is left out)."""

import time


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start, cpu = time.perf_counter(), time.thread_time()
        response = self.get_response(request)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        wall, cpu = time.perf_counter() - start, time.thread_time() - cpu
        response["Server-Timing"] = f"app;dur={wall * 1000:.3f}, cpu;dur={cpu * 1000:.3f}"
        return response
