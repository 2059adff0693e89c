"""Puntos de control de :func:`batchlab.train`: lo que ocurre entre actualizaciones.

Evaluaciones intermedias (cada ``eval_every`` actualizaciones o geométricas con
``eval_rel``), topes (``max_updates``, ``target_loss``), el presupuesto de tiempo y el
callback. Son los que permiten comparar métodos con las mismas actualizaciones o el mismo
tiempo (notebook 03) y contar los pasos hasta un objetivo (notebook 04) sin tocar el bucle
caliente.
"""

from __future__ import annotations

__all__ = ["Checkpoints", "next_evaluation"]


def next_evaluation(t: int, eval_every: int | None, eval_rel: float | None) -> int | None:
    """La evaluación que sigue a la de la actualización `t` (None: no se evalúa).

    * ``eval_every = k``: la siguiente múltiplo de k (t = k, 2k, 3k…);
    * ``eval_rel = r`` (**geométricas**): ``t + max(1, int(r·t))``, es decir, tras cada
      actualización hasta t = 1/r y después cada fracción r de los pasos dados. Así
      la cuenta de pasos hasta un objetivo tiene un error relativo < r con solo
      unas 1/r + ln(T)/r evaluaciones en T pasos. Empieza en t = 0.
    """
    if eval_every:
        return (t // eval_every + 1) * eval_every
    if eval_rel:
        return t + max(1, int(eval_rel * t))
    return None


class Checkpoints:
    """Lo que ocurre entre actualizaciones sin tocar el bucle caliente.

    El bucle solo compara ``t == siguiente`` (un entero) y, cuando toca, llama a
    :meth:`fire`, que evalúa la pérdida, llama al callback y decide si hay que parar.
    La próxima evaluación (``next_eval``) nunca se salta: :meth:`next_event` no la
    sobrepasa nunca.
    """

    #: con presupuesto de tiempo y sin evaluaciones, cada cuántas actualizaciones mirar el reloj
    TIME_CHECK_EVERY = 64

    def __init__(
        self,
        model,
        X,
        y,
        *,
        eval_every,
        max_updates,
        time_budget,
        target_loss,
        callback,
        eval_rel=None,
        loss=None,
    ):
        self.model, self.X, self.y = model, X, y
        self.loss = model.loss if loss is None else loss  # loss(X, y) del modelo
        self.eval_every, self.eval_rel, self.max_updates = eval_every, eval_rel, max_updates
        self.time_budget, self.target_loss, self.callback = time_budget, target_loss, callback
        self.updates: list[int] = []
        self.times: list[float] = []
        self.losses: list[float] = []
        self.stop_reason: str | None = None
        self.next_eval = next_evaluation(0, eval_every, eval_rel)
        if self.next_eval is not None:
            self.record(0, 0.0)

    def record(self, t: int, elapsed: float) -> None:
        """Anota la pérdida (de validación si la hay) tras `t` actualizaciones."""
        self.updates.append(t)
        self.times.append(elapsed)
        self.losses.append(self.loss(self.X, self.y))

    def next_event(self, t: int) -> int:
        """La próxima actualización en la que hay algo que hacer (-1: ninguna)."""
        if self.callback is not None:
            return t + 1
        candidates = [] if self.next_eval is None else [self.next_eval]
        if self.time_budget:
            candidates.append((t // self.TIME_CHECK_EVERY + 1) * self.TIME_CHECK_EVERY)
        if self.max_updates:
            candidates.append(self.max_updates)
        return min(candidates) if candidates else -1

    def fire(self, t: int, elapsed: float) -> bool:
        """Evalúa / llama al callback tras la actualización `t`; True si hay que parar."""
        if self.callback is not None:
            self.callback(t, self.model)
        if t == self.next_eval:
            self.record(t, elapsed)
            self.next_eval = next_evaluation(t, self.eval_every, self.eval_rel)
            if self.target_loss is not None and self.losses[-1] <= self.target_loss:
                self.stop_reason = "target"
                return True
        if self.max_updates and t >= self.max_updates:
            self.stop_reason = "max_updates"
            return True
        return self.should_stop(elapsed)

    def should_stop(self, elapsed: float) -> bool:
        """¿Hay que parar? Ya hay un motivo, o se agotó el presupuesto de tiempo.

        Es la única comprobación del tiempo: la llaman :meth:`fire` y el final de cada época.
        """
        if self.stop_reason is None and self.time_budget and elapsed >= self.time_budget:
            self.stop_reason = "time_budget"
        return self.stop_reason is not None
