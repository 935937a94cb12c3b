# Writes a vocab-only copy of a GGUF (all metadata, no tensors) with tokenizer.ggml.pre replaced.
import os, sys
# llama.cpp's gguf-py: set GGUF_PY to its directory.
sys.path.insert(0, os.environ.get('GGUF_PY', '/tmp/llama/llama_cpp_python-0.3.36/vendor/llama.cpp/gguf-py'))
from gguf import GGUFReader, GGUFWriter, GGUFValueType
src, dst, pre = sys.argv[1], sys.argv[2], sys.argv[3]
r = GGUFReader(src)
arch = bytes(r.fields['general.architecture'].parts[r.fields['general.architecture'].data[0]]).decode()
w = GGUFWriter(dst, arch)
for k, f in r.fields.items():
    if k.startswith('GGUF.') or k == 'general.architecture':
        continue
    t = f.types[0]
    if k == 'tokenizer.ggml.pre':
        w.add_string(k, pre); continue
    if t == GGUFValueType.ARRAY:
        st = f.types[1]
        if st == GGUFValueType.STRING:
            vals = [bytes(f.parts[i]).decode('utf-8') for i in f.data]
        else:
            vals = [f.parts[i].tolist()[0] for i in f.data]
        w.add_key_value(k, vals, t, sub_type=st)
    elif t == GGUFValueType.STRING:
        w.add_key_value(k, bytes(f.parts[f.data[0]]).decode('utf-8'), t)
    else:
        w.add_key_value(k, f.parts[f.data[0]].tolist()[0], t)
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
