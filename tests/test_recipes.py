"""Las tres recetas de CONTRIBUTING.md, seguidas de verdad: si una deja de bastar, esto falla.

Cada test hace lo que dice su receta, y solo eso (sin tocar otra parte del paquete):

* «Añadir un optimizador»: una clase para un modelo, su gemela apilada y una entrada en
  :data:`batchlab.optimizers.OPTIMIZERS` y en :data:`batchlab.labels.OPTIMIZER_NAMES`;
* «Añadir una figura»: una función que recibe una tabla, devuelve la figura y le pone su texto
  alternativo con ``describe``;
* «Añadir una conclusión»: una :class:`~batchlab.claims.Spec` con id del notebook delante,
  medida con el bootstrap jerárquico de sus réplicas y mostrada como *Resultado*.
"""

import numpy as np
import pandas as pd
import pytest

import batchlab as bl
from batchlab import claims, labels, optimizers, stats
from batchlab.plots.alt_text import alt_text, describe, img_tag
from batchlab.training import train_many


# -- receta 1: un optimizador (RMSprop) ----------------------------------------------------
class RMSprop:
    """RMSprop (Hinton, 2012): ``s ← ρs + (1−ρ)g²`` y ``θ ← θ − lr·g/(√s + ε)``."""

    RHO, EPS = 0.9, 1e-8

    def __init__(self, model, momentum=0.0):
        self.model = model
        self.s = np.zeros_like(model.theta)

    def step(self, X, y, learning_rate):
        loss = self.model.loss_and_gradient(X, y)
        g = self.model.grad
        self.s *= self.RHO
        self.s += (1 - self.RHO) * g * g
        self.model.theta -= learning_rate * g / (np.sqrt(self.s) + self.EPS)
        return loss


class StackedRMSprop:
    """:class:`RMSprop` para una pila de K redes: estado (K, P)."""

    def __init__(self, stack, momentum=0.0, s=None):
        self.stack = stack
        self.s = np.zeros_like(stack.theta) if s is None else s

    def step(self, X, y, learning_rates):
        losses = self.stack.loss_and_gradient(X, y, 1.0)
        g = self.stack.grad
        self.s *= RMSprop.RHO
        self.s += (1 - RMSprop.RHO) * g * g
        self.stack.theta -= learning_rates.reshape(-1, 1) * g / (np.sqrt(self.s) + RMSprop.EPS)
        return losses

    def subset(self, stack, keep):
        return StackedRMSprop(stack, s=self.s[keep])


@pytest.fixture
def rmsprop(monkeypatch):
    """Los dos pasos de la receta: la entrada del registro y su nombre para mostrar."""
    monkeypatch.setitem(
        optimizers.OPTIMIZERS, "rmsprop", optimizers.Optimizer(RMSprop, StackedRMSprop)
    )
    monkeypatch.setitem(labels.OPTIMIZER_NAMES, "rmsprop", "RMSprop")


@pytest.mark.parametrize("batch_size", [1, 8])
def test_recipe_add_an_optimizer(small, rmsprop, batch_size):
    X, y = small
    start = [bl.MLP(rng=i) for i in range(3)]
    stacked, single = [m.copy() for m in start], [m.copy() for m in start]
    lrs, seeds = [0.001, 0.003, 50.0], [0, 1, 2]  # la tercera diverge: la pila la congela
    kw = dict(batch_size=batch_size, epochs=2, optimizer="rmsprop")
    many = train_many(stacked, X, y, learning_rates=lrs, seeds=seeds, **kw)
    for h, m, t, lr, s in zip(many, stacked, single, lrs, seeds, strict=True):
        one = bl.train(t, X, y, learning_rate=lr, seed=s, **kw)
        assert h.optimizer == one.optimizer == "rmsprop"
        assert h.diverged == one.diverged
        np.testing.assert_allclose(h.update_loss, one.update_loss, rtol=1e-12)
        np.testing.assert_allclose(m.theta, t.theta, rtol=1e-12, atol=1e-300)
    assert many[2].diverged and not many[0].diverged
    # de verdad es otro optimizador: no entrena lo mismo que SGD
    sgd = bl.train(
        start[0].copy(), X, y, learning_rate=lrs[0], seed=0, **{**kw, "optimizer": "sgd"}
    )
    assert not np.allclose(sgd.update_loss, many[0].update_loss)


def test_recipe_add_an_optimizer_without_stacked_twin_is_refused(small, monkeypatch):
    X, y = small
    monkeypatch.setitem(optimizers.OPTIMIZERS, "rmsprop", optimizers.Optimizer(RMSprop, None))
    with pytest.raises(ValueError, match="no tiene versión apilada"):
        train_many([bl.MLP(rng=0)], X, y, batch_size=4, learning_rates=0.01, seeds=0, epochs=1,
                   optimizer="rmsprop")  # fmt: skip


# -- receta 2: una figura --------------------------------------------------------------------
def final_loss_plot(runs: pd.DataFrame):
    """La figura de la receta: pérdida final frente a B (recibe la tabla, no entrena nada)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    med = runs.groupby("batch_size")["final_loss"].median()
    ax.plot(med.index, med, "o-", label="mediana")
    ax.set_xscale("log")
    ax.set_xlabel("tamaño del batch B")
    ax.set_ylabel("pérdida final")
    ax.legend()
    return describe(fig, "Pérdida final mediana frente al tamaño del batch, en escala log.")


def test_recipe_add_a_figure():
    runs = pd.DataFrame({"batch_size": [1, 1, 32, 32], "final_loss": [0.4, 0.5, 0.3, 0.35]})
    fig = final_loss_plot(runs)
    text = alt_text(fig)
    assert text.startswith("Pérdida final mediana")
    assert 'alt="Pérdida final mediana' in img_tag(b"png", text)
    import matplotlib.pyplot as plt

    plt.close(fig)


# -- receta 3: una conclusión ----------------------------------------------------------------
SPEC = claims.Spec(
    id="99.b_grande_peor",
    enunciado="Con B = {B} la pérdida final es mayor que con B = 1",
    medida="pérdida final con B = {B} / con B = 1",
    rule=claims.Rule(1.0, "mayor"),
    frases={
        claims.HOLDS: "Con B = {B} la pérdida final es {valor:.2f} veces la de B = 1 "
        "(IC 95 % [{ic_bajo:.2f}, {ic_alto:.2f}], {n_divisiones} divisiones).",
        claims.FAILS: "Con B = {B} la pérdida final es menor: {valor:.2f} veces la de B = 1.",
        claims.INCONCLUSIVE: "B = {B} y B = 1 no se separan ({valor:.2f}, IC 95 % "
        "[{ic_bajo:.2f}, {ic_alto:.2f}]).",
    },
)


def _replicates(ratio: float):
    """Ejecuciones sintéticas: 3 divisiones × 3 inicializaciones × 2 barajados por brazo."""
    rng = np.random.default_rng(0)
    keys = np.array([(d, i, b) for d in range(3) for i in range(3) for b in range(2)])
    small = 0.3 + 0.01 * rng.standard_normal(len(keys))
    large = ratio * 0.3 + 0.01 * rng.standard_normal(len(keys))
    return {"b1": (keys, small), "bB": (keys, large)}, keys


@pytest.mark.parametrize(("ratio", "verdict"), [(1.5, claims.HOLDS), (0.6, claims.FAILS)])
def test_recipe_add_a_claim(ratio, verdict):
    groups, keys = _replicates(ratio)
    est, reps = stats.hierarchical_bootstrap(
        groups, lambda g: float(np.median(g["bB"]) / np.median(g["b1"])), n_boot=200, seed=0
    )
    claim = claims.from_replicates(SPEC, est, reps, keys, B=128)
    assert claim.veredicto == verdict
    assert (claim.n_divisiones, claim.n_inicializaciones, claim.n_barajados) == (3, 3, 2)
    shown = claims.resultado(claim)._repr_markdown_()
    assert "B = 128" in shown and f"{est:.2f}" in shown


def test_a_claim_id_needs_its_notebook():
    with pytest.raises(ValueError, match="notebook delante"):
        claims.Spec(id="sin_prefijo", enunciado="x", medida="m", rule=claims.Rule(0.0),
                    frases=SPEC.frases)  # fmt: skip
