"""A fake OpenAI chat-completions endpoint that answers with a scripted list of statuses.

    python3 flaky_openai_server.py 429,500,200 LOG

Binds a free loopback port and prints `PORT n`. Each POST /v1/chat/completions gets the next
status of the list (the last one repeats): 429 with `Retry-After: 0`, other errors with an
OpenAI-style error body, 200 with a chat completion (echoing the last message, with logprobs
when asked). Every request is appended to LOG as one JSON line: path, status, Authorization, body.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

statuses = [int(s) for s in sys.argv[1].split(",")]
log_path = sys.argv[2]
count = 0
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            status = statuses[min(count, len(statuses) - 1)]
            count += 1
            with open(log_path, "a") as log:
                log.write(json.dumps({"path": self.path, "status": status,
                                      "authorization": self.headers.get("Authorization"),
                                      "body": json.loads(body)}) + "\n")
        request = json.loads(body)
        headers = {}
        if status == 200:
            text = "Echo: " + request["messages"][-1]["content"]
            choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            if request.get("logprobs"):
                k = request.get("top_logprobs", 0)
                choice["logprobs"] = {"content": [
                    {"token": w, "logprob": -0.5, "bytes": list(w.encode()),
                     "top_logprobs": [{"token": w, "logprob": -0.5 - i, "bytes": []} for i in range(k)]}
                    for w in ["Echo", ":", " hi"]]}
            payload = {"id": "x", "object": "chat.completion", "model": request.get("model"), "choices": [choice],
                       "usage": {"prompt_tokens": 1, "completion_tokens": 3, "total_tokens": 4}}
        else:
            if status == 429:
                headers["Retry-After"] = "0"
            payload = {"error": {"message": f"scripted {status}", "type": "test", "param": None, "code": None}}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"PORT {server.server_address[1]}", flush=True)
server.serve_forever()
