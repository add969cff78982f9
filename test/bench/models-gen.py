# Generates the model-scan benchmark's inputs without holding them in memory:
#   python3 models-gen.py OUT_DIR MEGABYTES
# checkpoint.pt   a PyTorch zip checkpoint: data.pkl with a state dict of N tensors (only
#                 tensor-rebuild globals) and N stored tensor entries adding up to MEGABYTES
# inline.pkl      a raw pickle of MEGABYTES with the tensor bytes inline (BINBYTES8), as a
#                 pickled numpy-style blob would carry them: every byte goes through the scanner
# dense.pkl       an opcode-dense pickle (a long list of small ints and strings), ~MEGABYTES/10
import os, struct, sys, zipfile

out, megabytes = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
chunk = bytes(1 << 20)
tensors = max(1, megabytes // 8)
per_tensor = megabytes * (1 << 20) // tensors

def short_unicode(text):
    data = text.encode(); return b'\x8c' + bytes([len(data)]) + data

def global_(module, name):
    return b'c' + module.encode() + b'\n' + name.encode() + b'\n'

def state_dict_pickle():
    # protocol 2, as torch.save writes it: OrderedDict of _rebuild_tensor_v2(persistent storage, ...)
    parts = [b'\x80\x02', global_('collections', 'OrderedDict'), b')R', b'(']
    for i in range(tensors):
        numel = per_tensor // 4
        parts += [b'X' + struct.pack('<I', len(f'layer{i}.weight')) + f'layer{i}.weight'.encode(),
                  global_('torch._utils', '_rebuild_tensor_v2'), b'(',
                  b'(' + b'X' + struct.pack('<I', 7) + b'storage' + global_('torch', 'FloatStorage')
                  + b'X' + struct.pack('<I', len(str(i))) + str(i).encode() + b'X\x03\x00\x00\x00cpu' + b'J' + struct.pack('<i', numel) + b't',
                  b'Q', b'K\x00', b'J' + struct.pack('<i', numel) + b'\x85', b'K\x01\x85', b'\x89',
                  global_('collections', 'OrderedDict'), b')R', b't', b'R']
    parts += [b'u', b'.']
    return b''.join(parts)

with zipfile.ZipFile(f'{out}/checkpoint.pt', 'w', zipfile.ZIP_STORED, allowZip64=True) as archive:
    archive.writestr('archive/data.pkl', state_dict_pickle())
    for i in range(tensors):
        with archive.open(f'archive/data/{i}', 'w', force_zip64=True) as entry:
            left = per_tensor
            while left > 0:
                entry.write(chunk[:min(left, len(chunk))]); left -= min(left, len(chunk))
    archive.writestr('archive/version', '3\n')

with open(f'{out}/inline.pkl', 'wb') as f:
    f.write(b'\x80\x04}(')
    for i in range(tensors):
        f.write(short_unicode(f'layer{i}.weight') + b'\x8e' + struct.pack('<Q', per_tensor))
        left = per_tensor
        while left > 0:
            f.write(chunk[:min(left, len(chunk))]); left -= min(left, len(chunk))
    f.write(b'u.')

# Appended in batches of 1,000 (MARK … APPENDS), as pickle's own batching writes long lists.
with open(f'{out}/dense.pkl', 'wb') as f:
    f.write(b'\x80\x02]q\x00')
    target = megabytes * (1 << 20) // 10
    written, i = 0, 0
    while written < target:
        item = b'K' + bytes([i % 256]) + b'X\x05\x00\x00\x00hello' + b'\x86'
        batch = b'(' + item * 1000 + b'e'
        f.write(batch); written += len(batch); i += 1
    f.write(b'.')
