"""The door: the one way bytes from outside llmenv come in (DESIGN.md section 7d).

Every file, stream and environment value that llmenv did not make itself in this run is read here:

- `files`: a regular file or a refusal (a FIFO, device, socket or folder is refused after a non-blocking open and
  an `fstat` of the open descriptor, so nothing can make a read wait forever), a size bound per kind of input,
  strict UTF-8 with the line of the first bad byte.
- `jsondoc`: JSON with bounded depth, no NaN or Infinity, no duplicate keys, and typed field access whose errors
  name the file and the key path.
- `environ`: `LLMENV_*` values, refused when they are not UTF-8 text or are absurdly long.

Error messages name the file, line and key, never the file's content: a profile or `mirrors.yaml` that is a link
to /etc/shadow is refused without quoting a line of it. A new reader gets these bounds by calling the door; it
needs no checks of its own.
"""
