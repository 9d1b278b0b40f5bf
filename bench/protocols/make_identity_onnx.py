# Writes an ONNX Identity model y = x, FP32 [N, 3, 224, 224], with hand-encoded protobuf (no onnx package here).
def varint(n):
    out = b""
    while True:
        b = n & 0x7F; n >>= 7
        if n: out += bytes([b | 0x80])
        else: return out + bytes([b])
def field(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 0: return key + varint(payload)
    return key + varint(len(payload)) + payload
def s(num, text): return field(num, 2, text.encode())
def msg(num, body): return field(num, 2, body)
def dim_param(p): return msg(1, s(2, p))
def dim_value(v): return msg(1, field(1, 0, v))
shape = msg(2, dim_param("N") + dim_value(3) + dim_value(224) + dim_value(224))
ttype = msg(1, field(1, 0, 1) + shape)   # elem_type FLOAT
def value_info(name): return s(1, name) + msg(2, ttype)
node = s(1, "x") + s(2, "y") + s(4, "Identity")
graph = msg(1, node) + s(2, "identity") + msg(11, value_info("x")) + msg(12, value_info("y"))
model = field(1, 0, 7) + msg(8, s(1, "") + field(2, 0, 13)) + msg(7, graph)
import sys
open(sys.argv[1] if len(sys.argv) > 1 else "identity-224.onnx", "wb").write(model)
