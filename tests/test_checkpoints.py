"""Puntos de control geométricos (``eval_rel``) en train() y train_many."""

import numpy as np
import pytest

import batchlab as bl
from batchlab.training import train_many
from batchlab.training.checkpoints import next_evaluation

#: la regla con r = 0.25, escrita a mano: de uno en uno hasta t = 1/r = 4 y luego
#: t + int(t/4): 8 → 10 → 12 → 15 → 18 → 22 → 27 → 33 → 41 → 51 → 63 → 78 → 97
QUARTER = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 18, 22, 27, 33, 41, 51, 63, 78, 97]


def fit(X, y, model=None, **kw):
    args = dict(batch_size=7, learning_rate=0.02, seed=0) | kw
    return bl.train(model or bl.MLP(rng=0), X, y, **args)


def test_the_geometric_rule():
    seq = [0]
    while seq[-1] < 97:
        seq.append(next_evaluation(seq[-1], None, 0.25))
    assert seq == QUARTER
    assert next_evaluation(12, 5, None) == 15  # eval_every: el siguiente múltiplo
    assert next_evaluation(12, None, None) is None


def test_train_evaluates_at_the_geometric_checkpoints(small):
    X, y = small
    h = fit(X, y, eval_rel=0.25, max_updates=97)
    np.testing.assert_array_equal(h.checkpoint_updates, QUARTER)
    # la pérdida anotada es la de un entrenamiento parado allí (aquí, a media época)
    stopped = bl.MLP(rng=0)
    fit(X, y, stopped, max_updates=51)
    assert h.checkpoint_loss[QUARTER.index(51)] == pytest.approx(stopped.loss(X, y), rel=1e-12)
    # con un callback (que se llama en cada actualización) las evaluaciones no cambian
    seen = []
    g = fit(X, y, eval_rel=0.25, max_updates=97, callback=lambda t, m: seen.append(t))
    assert seen == list(range(1, 98))
    np.testing.assert_array_equal(g.checkpoint_updates, QUARTER)
    # la resolución relativa prometida: entre dos evaluaciones, como mucho max(1, r·t) pasos
    r = 0.015
    k = fit(X, y, eval_rel=r, max_updates=3000).checkpoint_updates
    assert np.all(np.diff(k) <= np.maximum(1, r * k[:-1]))
    assert 1 / r < len(k) < 0.15 * 3000  # muchas menos evaluaciones que pasos


def test_target_stops_at_the_first_geometric_checkpoint_at_or_below_it(small):
    X, y = small
    every = fit(X, y, eval_every=1, max_updates=400)  # la pérdida tras cada actualización
    target = float(np.quantile(every.checkpoint_loss, 0.3))
    h = fit(X, y, eval_rel=0.1, max_updates=400, target_loss=target)
    assert h.stop_reason == "target"
    geometric = [0]
    while geometric[-1] < 400:
        geometric.append(next_evaluation(geometric[-1], None, 0.1))
    expected = next(t for t in geometric if every.checkpoint_loss[t] <= target)
    assert h.n_updates == expected
    assert h.checkpoint_loss[-1] == pytest.approx(every.checkpoint_loss[expected], rel=1e-12)
    assert h.checkpoint_loss[-1] <= target < h.checkpoint_loss[-2]


def test_train_many_uses_the_same_geometric_checkpoints(small):
    X, y = small
    lrs, seeds = [0.005, 0.02, 0.0003, 0.01], [0, 1, 2, 3]
    ours = [bl.MLP(rng=i) for i in range(4)]
    theirs = [m.copy() for m in ours]
    kw = dict(batch_size=7, epochs=6, eval_rel=0.05, target_loss=0.55)
    H = train_many(ours, X, y, learning_rates=lrs, seeds=seeds, **kw)
    for h, m, lr, s in zip(H, theirs, lrs, seeds, strict=True):
        g = bl.train(m, X, y, learning_rate=lr, seed=s, **kw)
        np.testing.assert_array_equal(h.checkpoint_updates, g.checkpoint_updates)
        np.testing.assert_allclose(h.checkpoint_loss, g.checkpoint_loss, rtol=1e-12)
        assert (h.stop_reason, h.n_updates) == (g.stop_reason, g.n_updates)
    assert {h.stop_reason for h in H} == {"target", "epochs"}  # paran en momentos distintos
    assert len({h.n_updates for h in H}) > 2


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        (dict(eval_every=5, eval_rel=0.1), "eval_every y eval_rel se excluyen"),
        (dict(eval_rel=0.0), "eval_rel"),
        (dict(eval_rel=1.5), r"eval_rel .*\(0, 1\]"),
        (dict(target_loss=0.5), "eval_every=… o eval_rel=…"),
    ],
)
def test_bad_checkpoint_arguments_are_refused(small, kw, match):
    X, y = small
    with pytest.raises(ValueError, match=match):
        fit(X, y, epochs=1, **kw)
    with pytest.raises(ValueError, match=match):
        train_many(
            [bl.MLP(rng=0), bl.MLP(rng=1)],
            X,
            y,
            batch_size=7,
            learning_rates=0.01,
            seeds=0,
            epochs=1,
            **kw,
        )
