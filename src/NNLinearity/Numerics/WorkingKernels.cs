using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NNLinearity.Kernels;

namespace NNLinearity.Numerics;

/// <summary>
/// Vectorised per-row steps of an IRLS pass (each equal, lane by lane, to the scalar formula in its summary), on the
/// widest accelerated vectors; the generic forms take one width each (tests run every width against the scalar formula).
/// </summary>
internal static class WorkingKernels
{
    /// <summary>mu[i] = clamp(mu[i], lo, hi).</summary>
    public static void ClampMeans(Span<double> mu, double lo, double hi)
    {
        if (VectorMath.Use512) ClampMeans<Vec512D>(mu, lo, hi);
        else ClampMeans<VecD>(mu, lo, hi);
    }

    /// <summary><see cref="ClampMeans(Span{double}, double, double)"/> on one width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ClampMeans<TV>(Span<double> mu, double lo, double hi) where TV : struct, ISimd<TV, double>
    {
        int vw = TV.Count, i = 0;
        TV vlo = TV.Create(lo), vhi = TV.Create(hi);
        ref double m = ref MemoryMarshal.GetReference(mu);
        for (; i <= mu.Length - vw; i += vw) TV.Store(TV.Min(TV.Max(TV.Load(ref m, (nuint)i), vlo), vhi), ref m, (nuint)i);
        for (; i < mu.Length; i++) mu[i] = Math.Clamp(mu[i], lo, hi);
    }

    /// <summary>d[i] = copysign(floor, d[i]) where |d[i]| &lt; floor (R's floor on dmu/deta).</summary>
    public static void FloorMagnitude(Span<double> d, double floor)
    {
        if (VectorMath.Use512) FloorMagnitude<Vec512D>(d, floor);
        else FloorMagnitude<VecD>(d, floor);
    }

    /// <summary><see cref="FloorMagnitude(Span{double}, double)"/> on one width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void FloorMagnitude<TV>(Span<double> d, double floor) where TV : struct, ISimd<TV, double>
    {
        int vw = TV.Count, i = 0;
        TV vf = TV.Create(floor);
        ref double r = ref MemoryMarshal.GetReference(d);
        for (; i <= d.Length - vw; i += vw)
        {
            TV v = TV.Load(ref r, (nuint)i);
            TV.Store(TV.Select(TV.LessThan(TV.Abs(v), vf), TV.WithSignOf(vf, v), v), ref r, (nuint)i);
        }

        for (; i < d.Length; i++)
        {
            if (Math.Abs(d[i]) < floor) d[i] = double.CopySign(floor, d[i]);
        }
    }

    /// <summary>
    /// For rows with w &gt; 0 and dmu/deta != 0: z = (eta - offset) + (y - mu) / d and ww = w d^2 / V; other rows get
    /// 0 for both. <paramref name="z"/> may be the same memory as <paramref name="d"/>.
    /// </summary>
    public static void WeightsAndResponse(ReadOnlySpan<double> eta, ReadOnlySpan<double> offset, ReadOnlySpan<double> y, ReadOnlySpan<double> mu,
        ReadOnlySpan<double> d, ReadOnlySpan<double> w, ReadOnlySpan<double> variance, Span<double> ww, Span<double> z)
    {
        if (VectorMath.Use512) WeightsAndResponse<Vec512D>(eta, offset, y, mu, d, w, variance, ww, z);
        else WeightsAndResponse<VecD>(eta, offset, y, mu, d, w, variance, ww, z);
    }

    /// <summary><see cref="WeightsAndResponse(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{double})"/> on one width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void WeightsAndResponse<TV>(ReadOnlySpan<double> eta, ReadOnlySpan<double> offset, ReadOnlySpan<double> y, ReadOnlySpan<double> mu,
        ReadOnlySpan<double> d, ReadOnlySpan<double> w, ReadOnlySpan<double> variance, Span<double> ww, Span<double> z)
        where TV : struct, ISimd<TV, double>
    {
        int n = eta.Length, vw = TV.Count, i = 0;
        TV zero = TV.Create(0);
        bool withOffset = !offset.IsEmpty;
        ref double er = ref MemoryMarshal.GetReference(eta), or = ref MemoryMarshal.GetReference(offset), yr = ref MemoryMarshal.GetReference(y);
        ref double mr = ref MemoryMarshal.GetReference(mu), dr = ref MemoryMarshal.GetReference(d), wr = ref MemoryMarshal.GetReference(w);
        ref double vr = ref MemoryMarshal.GetReference(variance), wwr = ref MemoryMarshal.GetReference(ww), zr = ref MemoryMarshal.GetReference(z);
        for (; i <= n - vw; i += vw)
        {
            TV vd = TV.Load(ref dr, (nuint)i), vwt = TV.Load(ref wr, (nuint)i);
            TV e = TV.Load(ref er, (nuint)i);
            if (withOffset) e -= TV.Load(ref or, (nuint)i);
            TV zv = e + (TV.Load(ref yr, (nuint)i) - TV.Load(ref mr, (nuint)i)) / vd;
            TV wwv = vwt * vd * vd / TV.Load(ref vr, (nuint)i);
            // Rows with w <= 0 (or NaN) or d = 0 get zeros.
            TV positive = TV.GreaterThan(vwt, zero), flat = TV.Equal(vd, zero);
            TV.Store(TV.Select(flat, zero, TV.Select(positive, wwv, zero)), ref wwr, (nuint)i);
            TV.Store(TV.Select(flat, zero, TV.Select(positive, zv, zero)), ref zr, (nuint)i);
        }

        for (; i < n; i++)
        {
            double di = d[i], wi = w[i];
            if (wi > 0 && di != 0)
            {
                z[i] = (offset.IsEmpty ? eta[i] : eta[i] - offset[i]) + (y[i] - mu[i]) / di;
                ww[i] = wi * di * di / variance[i];
            }
            else
            {
                ww[i] = 0;
                z[i] = 0;
            }
        }
    }
}
