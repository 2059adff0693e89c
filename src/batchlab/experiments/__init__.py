"""Los experimentos del curso: un módulo por idea, cada uno dice a qué notebook sirve.

Entrenan con :mod:`batchlab.training` y devuelven tablas con claves de máquina; las figuras
(:mod:`batchlab.plots`) y las conclusiones (:mod:`batchlab.claims`) reciben esas tablas.
"""
