"""HAR regressors computed from a window of FeatureVector rows, in numpy and as an ONNX graph that does the same
arithmetic in float64, so that the card's numbers (from numpy) and Node's (from onnxruntime) agree to ~1e-12.

A spec names the regressors: ln of the mean squared logReturn over the last k rows for each k of `returnScales`,
ln of the mean squared relative true range (TR_j / close_j) over the last k rows for each k of `rangeScales`
(TR_j = 14 atr14_j - 13 atr14_{j-1} inverts Wilder's smoothing exactly, so the window of atr14 rows gives every
candle's true range, i.e. its high-low information, which FeatureVector does not carry otherwise), and with
`atrLevel` ln (atr14 / close)^2 of the last row. ln RV^2 = b0 + b . regressors; the graph returns sqrt(exp(.)).
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from volatility_training import INPUT_NAME, LOG_FLOOR, OPSET, OUTPUT_NAME


def fields_of(spec):
    uses_atr = bool(spec['rangeScales']) or spec['atrLevel']
    return ['logReturn'] + (['atr14', 'close'] if uses_atr else [])


def window_of(spec):
    return max(max(spec['returnScales']), max(spec['rangeScales']) + 1 if spec['rangeScales'] else 0)


def regressor_names(spec):
    return (['lnMeanR2_%d' % k for k in spec['returnScales']] + ['lnMeanTR2_%d' % k for k in spec['rangeScales']]
            + (['lnAtrOverClose2'] if spec['atrLevel'] else []))


def design(spec, values, idx):
    """[len(idx), 1 + regressors] design matrix from the served values (see volatility_training.served_values)."""
    w = window_of(spec)
    first = np.asarray(idx) - w + 1

    def windows(field):
        return sliding_window_view(values[field], w)[first]

    cols = [np.ones(len(idx))]
    r = windows('logReturn')
    r2 = r * r
    for k in spec['returnScales']:
        cols.append(np.log(np.mean(r2[:, w - k:], axis=1) + LOG_FLOOR))
    if spec['rangeScales'] or spec['atrLevel']:
        atr = windows('atr14')
        close = windows('close')
    if spec['rangeScales']:
        rel = (atr[:, 1:] * 14.0 - atr[:, :-1] * 13.0) / close[:, 1:]
        t2 = rel * rel
        for k in spec['rangeScales']:
            cols.append(np.log(np.mean(t2[:, w - 1 - k:], axis=1) + LOG_FLOOR))
    if spec['atrLevel']:
        rel = atr[:, -1] / close[:, -1]
        cols.append(np.log(rel * rel + LOG_FLOOR))
    return np.column_stack(cols)


def forecast(x, coef):
    """RV forecasts as the graph returns them: sqrt(exp(x b)) in float64, then rounded to float32."""
    return np.exp((x @ coef) * 0.5).astype(np.float32).astype(np.float64)


def onnx_graph(spec, mean, std, coef, path, doc):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    fields = fields_of(spec)
    w = window_of(spec)
    nodes, inits = [], []

    def const(name, value, dtype=np.float64):
        if name not in {i.name for i in inits}:
            inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def node(op, inputs, name, **attrs):
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def rows(x, a, b, name):
        return node('Slice', [x, const(name + '_s', [a], np.int64), const(name + '_e', [b], np.int64),
                              const(name + '_a', [1], np.int64)], name)

    def log_mean(x, name):
        m = node('ReduceMean', [x], name + '_mean', axes=[1], keepdims=1)
        return node('Log', [node('Add', [m, const('floor', LOG_FLOOR)], name + '_floored')], name)

    x = node('Cast', [INPUT_NAME], 'x64', to=TensorProto.DOUBLE)
    raw = node('Add', [node('Mul', [x, const('std', std)], 'scaled'), const('mean', mean)], 'raw')

    def field(f):
        return node('Gather', [raw, const('idx_' + f, fields.index(f), np.int64)], f, axis=2)

    regs = []
    r = field('logReturn')
    r2 = node('Mul', [r, r], 'r2')
    for k in spec['returnScales']:
        regs.append(log_mean(rows(r2, w - k, w, 'r2_last%d' % k), 'lnMeanR2_%d' % k))
    if spec['rangeScales'] or spec['atrLevel']:
        atr, close = field('atr14'), field('close')
    if spec['rangeScales']:
        tr = node('Sub', [node('Mul', [rows(atr, 1, w, 'atr_cur'), const('fourteen', 14.0)], 'atr_cur14'),
                          node('Mul', [rows(atr, 0, w - 1, 'atr_prev'), const('thirteen', 13.0)], 'atr_prev13')], 'tr')
        rel = node('Div', [tr, rows(close, 1, w, 'close_cur')], 'tr_rel')
        t2 = node('Mul', [rel, rel], 't2')
        for k in spec['rangeScales']:
            regs.append(log_mean(rows(t2, w - 1 - k, w - 1, 't2_last%d' % k), 'lnMeanTR2_%d' % k))
    if spec['atrLevel']:
        rel = node('Div', [rows(atr, w - 1, w, 'atr_last'), rows(close, w - 1, w, 'close_last')], 'atr_rel')
        sq = node('Add', [node('Mul', [rel, rel], 'atr_rel2'), const('floor', LOG_FLOOR)], 'atr_rel2_floored')
        regs.append(node('Log', [sq], 'lnAtrOverClose2'))
    z = node('Concat', regs, 'regressors', axis=1)
    eta = node('Add', [node('MatMul', [z, const('coef', np.asarray(coef[1:]).reshape(-1, 1))], 'eta_b'),
                       const('intercept', [coef[0]])], 'ln_variance')
    rv = node('Exp', [node('Mul', [eta, const('half', 0.5)], 'ln_rv')], 'rv64')
    node('Cast', [rv], OUTPUT_NAME, to=TensorProto.FLOAT)

    graph = helper.make_graph(
        nodes, 'har_realised_volatility',
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ['batch', w, len(fields)])],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ['batch', 1])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)], producer_name='candleflow',
                              doc_string=doc)
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
