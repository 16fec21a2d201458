"""``exp`` and ``log`` for the compiled kernels, written so the compiler can vectorize them.

A loop calling ``math.exp`` or ``math.log`` calls the C library once per element, so the
per-task-bin loops of the task market and of production ran one element at a time and spent
about a quarter of a sweep in those calls. These follow Sun's fdlibm (``e_exp.c``: reduction
by ln 2, then its polynomial; ``e_log.c``: its polynomial, here with one formula throughout and
the split at sqrt(2) taken on the whole mantissa), in plain arithmetic and bit operations, so a
loop over task bins becomes SIMD code; both stay within 1 ulp of the C library. Whole numbers
stay floats throughout (``np.floor``, and powers of 2 and exponents moved in and out of the
exponent bits by adding 2^52): AVX2 has no vector conversion between 64-bit integers and
floats, and each such conversion made the compiler take the lanes apart (removing them made
``exp`` ~28% and a power ~23% faster, with the same bits). A power built
from them, :func:`power`, carries an error that grows with ``|e ln x|`` (tens of ulp for
the CES terms), unlike the C library's ``pow``.

Reproducibility: every element goes through the same IEEE operations whether it falls in a
vector lane or in the scalar remainder of a loop (no fused multiply-add: numba compiles
without ``fastmath``), so a scenario's numbers do not depend on its neighbours or on the batch
(``tests/test_vector_math.py`` checks both, and the error against the C library).

Callers must be compiled with ``error_model="numpy"``: these functions are inlined into them,
and Python's error model would put a zero-division check, a branch, in front of the divisions.
Being inlined, they are compiled into each caller's on-disk cache, which numba renews only when
the caller's own file changes. So each caller names this file's SHA-256 in a comment
(``# vector_math sha256: ...``), and ``tests/test_market_kernel.py`` fails after an edit here
until those lines carry the new hash: editing them is what recompiles the callers.

The constants are fdlibm's, (c) 1993 Sun Microsystems, Inc.: "Developed at SunPro, a Sun
Microsystems, Inc. business. Permission to use, copy, modify, and distribute this software is
freely granted, provided that this notice is preserved."
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic


@intrinsic
def _float_from_bits(typingctx, bits):
    """The float64 whose IEEE 754 bits are the int64 ``bits`` (a reinterpretation)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.int64), codegen


@intrinsic
def _bits_of_float(typingctx, x):
    """The IEEE 754 bits of the float64 ``x`` as an int64."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))
    return types.int64(types.float64), codegen


LN2_HI = 6.93147180369123816490e-01    # ln 2 in two parts, the first exact in any k * LN2_HI
LN2_LO = 1.90821492927058770002e-10
INV_LN2 = 1.44269504088896338700e+00
# exp: the remez polynomial of fdlibm's e_exp.c, on |r| <= ln2 / 2
P1, P2, P3 = 1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05
P4, P5 = -1.65339022054652515390e-06, 4.13813679705723846039e-08
# log: fdlibm's e_log.c, log(1 + f) = f - f^2 / 2 + s (f^2 / 2 + R(s^2)), s = f / (2 + f)
LG1, LG2 = 6.666666666666735130e-01, 3.999999999940941908e-01
LG3, LG4 = 2.857142874366239149e-01, 2.222219843214978396e-01
LG5, LG6, LG7 = 1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01
#: Beyond +-800 exp is inf or 0 in double precision whatever the argument; clamping there keeps
#: the integer exponent in range.
EXP_CLAMP = 800.0
SMALLEST_NORMAL = 2.2250738585072014e-308
TWO_54 = 18014398509481984.0
MANTISSA = 0xFFFFFFFFFFFFF
SQRT2_MANTISSA = 0x6A09E667F3BCD   # the mantissa bits of sqrt(2)


#: 2^52: a whole number n from 0 to 2^52, added to it, lies in the low bits of the mantissa
ROUNDING = 4503599627370496.0
ROUNDING_BITS = 0x4330000000000000   # the bits of 2^52


@njit(inline="always", error_model="numpy")
def _two_to(n):
    """2^n for a whole number n (a float) from -1022 to 1023, by placing n + 1023 in the
    exponent bits: plain SIMD operations, no conversion to an integer register.
    """
    return _float_from_bits(_bits_of_float(n + (1023.0 + ROUNDING)) << 52)  # 2^52 shifts out


@njit(inline="always", error_model="numpy")
def exp(x):
    """e**x to within 1 ulp; inf above ~709.78, 0 below ~-745.13, nan for nan."""
    c = min(max(x, -EXP_CLAMP), EXP_CLAMP)
    k = np.floor(c * INV_LN2 + 0.5)   # a float: no conversion to an integer register
    hi = c - k * LN2_HI
    lo = k * LN2_LO
    r = hi - lo
    t = r * r
    p = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))))
    y = 1.0 - ((lo - (r * p) / (2.0 - p)) - hi)
    half = np.floor(k * 0.5)   # 2^k as two factors, each a normal number, so over- and
    y = y * _two_to(half) * _two_to(k - half)   # underflow round
    return y if x == x else x


@njit(inline="always", error_model="numpy")
def log(x):
    """Natural log to within 1 ulp; -inf at 0, nan below 0 or for nan, inf at inf."""
    small = x < SMALLEST_NORMAL      # subnormals are scaled up by 2^54 first
    bits = _bits_of_float(x * TWO_54 if small else x)
    mantissa = bits & MANTISSA
    up = mantissa > SQRT2_MANTISSA   # 1.m above sqrt(2): take 1.m / 2 and one more power of 2
    exponent = _float_from_bits(((bits >> 52) & 0x7FF) | ROUNDING_BITS) - ROUNDING  # as float
    f = _float_from_bits(mantissa | ((1022 if up else 1023) << 52)) - 1.0
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    r = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7))) + w * (LG2 + w * (LG4 + w * LG6))
    half_f2 = 0.5 * f * f
    d = exponent - 1023.0 + (1.0 if up else 0.0) - (54.0 if small else 0.0)
    y = d * LN2_HI - ((half_f2 - (s * (half_f2 + r) + d * LN2_LO)) - f)
    if x == 0.0:
        return -math.inf
    if x == math.inf:
        return x
    return y if x > 0.0 else math.nan   # below 0 or nan


@njit(inline="always", error_model="numpy")
def power(x, y):
    """x**y for x >= 0 as ``exp(y * log(x))``: SIMD like its parts, within tens of ulp for the
    CES terms (not ``pow``'s one); 0 to a negative power is inf, as with ``pow``.
    """
    return exp(y * log(x))
