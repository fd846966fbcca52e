"""The ONNX graph of sentiment-ngram, built with onnx.helper (opset 17), and the same computation in numpy.

Inputs token_ids int64 [batch, tokens] (0 = padding) and token_weights float32 [batch, tokens], as the featurizer
writes them. One Gather reads a row per id from `table` [ids, 4]: the three class weights (already multiplied by
the id's idf and its block's scale) and the idf. Per text and block: x = weight x idf, norm = sqrt(sum x^2);
logits = sum over ids of weight x class weights / norm(block of the id) + bias; probabilities = softmax(logits).
The block of an id is the number of block offsets (after the first) it reaches.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IDS = 'token_ids'
WEIGHTS = 'token_weights'
OUTPUT = 'probabilities'
EPS = 1e-12


def build(table, bias, offsets):
    """table float32 [n_ids, 4], bias float32 [3], offsets: first id of each block (offsets[0] == 1)."""
    k = len(offsets)
    inits = [
        numpy_helper.from_array(table.astype(np.float32), 'table'),
        numpy_helper.from_array(bias.astype(np.float32), 'bias'),
        # Slice starts and ends of the class weights (columns 0..2) and of the idf (column 3)
        numpy_helper.from_array(np.array([0], dtype=np.int64), 'col_w'),
        numpy_helper.from_array(np.array([3], dtype=np.int64), 'col_w_end'),
        numpy_helper.from_array(np.array([3], dtype=np.int64), 'col_idf'),
        numpy_helper.from_array(np.array([4], dtype=np.int64), 'col_idf_end'),
        numpy_helper.from_array(np.array([2], dtype=np.int64), 'axis2'),
        numpy_helper.from_array(np.array([1], dtype=np.int64), 'axis1'),
        numpy_helper.from_array(np.array(EPS, dtype=np.float32), 'eps'),
        numpy_helper.from_array(np.array(1.0, dtype=np.float32), 'one'),
        # block index of an id = sum over later blocks of (id >= offset); one-hot against 0..k-1
        numpy_helper.from_array(np.array(offsets[1:] or [2 ** 62], dtype=np.int64), 'later_offsets'),
        numpy_helper.from_array(np.arange(k, dtype=np.float32), 'block_numbers'),
    ]
    n = [
        helper.make_node('Gather', ['table', IDS], ['rows'], axis=0),                      # [b, t, 4]
        helper.make_node('Slice', ['rows', 'col_w', 'col_w_end', 'axis2'], ['class_w']),  # [b, t, 3]
        helper.make_node('Slice', ['rows', 'col_idf', 'col_idf_end', 'axis2'], ['idf']),   # [b, t, 1]
        helper.make_node('Unsqueeze', [WEIGHTS, 'axis2'], ['w']),                           # [b, t, 1]
        helper.make_node('Mul', ['w', 'idf'], ['x']),
        helper.make_node('Mul', ['x', 'x'], ['x2']),
        helper.make_node('Unsqueeze', [IDS, 'axis2'], ['ids3']),                            # [b, t, 1]
        helper.make_node('GreaterOrEqual', ['ids3', 'later_offsets'], ['reached']),        # [b, t, k-1]
        helper.make_node('Cast', ['reached'], ['reached_f'], to=TensorProto.FLOAT),
        helper.make_node('ReduceSum', ['reached_f', 'axis2'], ['block'], keepdims=1),      # [b, t, 1]
        helper.make_node('Equal', ['block', 'block_numbers'], ['onehot_b']),               # [b, t, k]
        helper.make_node('Cast', ['onehot_b'], ['onehot'], to=TensorProto.FLOAT),
        helper.make_node('Mul', ['x2', 'onehot'], ['x2_block']),
        helper.make_node('ReduceSum', ['x2_block', 'axis1'], ['sq'], keepdims=1),          # [b, 1, k]
        helper.make_node('Sqrt', ['sq'], ['norm']),
        helper.make_node('Max', ['norm', 'eps'], ['norm_safe']),
        helper.make_node('Div', ['one', 'norm_safe'], ['inv']),
        helper.make_node('Mul', ['onehot', 'inv'], ['inv_tok_k']),
        helper.make_node('ReduceSum', ['inv_tok_k', 'axis2'], ['inv_tok'], keepdims=1),    # [b, t, 1]
        helper.make_node('Mul', ['w', 'inv_tok'], ['scale']),
        helper.make_node('Mul', ['scale', 'class_w'], ['contrib']),                         # [b, t, 3]
        helper.make_node('ReduceSum', ['contrib', 'axis1'], ['summed'], keepdims=0),       # [b, 3]
        helper.make_node('Add', ['summed', 'bias'], ['logits']),
        helper.make_node('Softmax', ['logits'], [OUTPUT], axis=1),
    ]
    graph = helper.make_graph(
        n, 'sentiment_ngram',
        [helper.make_tensor_value_info(IDS, TensorProto.INT64, ['batch', 'tokens']),
         helper.make_tensor_value_info(WEIGHTS, TensorProto.FLOAT, ['batch', 'tokens'])],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ['batch', 3])],
        inits)
    model = helper.make_model(graph, producer_name='candleflow', opset_imports=[helper.make_opsetid('', OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def logits_numpy(table, bias, offsets, ids, weights):
    """The graph's logits in float64 for one text (ids, weights lists), from the float32 table values."""
    t = table.astype(np.float32).astype(np.float64)
    ids = np.asarray(ids, dtype=np.int64)
    w = np.asarray(weights, dtype=np.float32).astype(np.float64)
    if len(ids) == 0:
        return bias.astype(np.float32).astype(np.float64)
    rows = t[ids]
    block = np.searchsorted(np.asarray(offsets), ids, side='right') - 1
    x2 = (w * rows[:, 3]) ** 2
    inv = np.zeros(len(offsets))
    for k in range(len(offsets)):
        inv[k] = 1.0 / max(np.sqrt(x2[block == k].sum()), EPS)
    return ((w * inv[block])[:, None] * rows[:, :3]).sum(0) + bias.astype(np.float32).astype(np.float64)
