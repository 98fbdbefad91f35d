using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace NNLinearity.Numerics;

/// <summary>Vectorised per-row steps of an IRLS pass (each equal, lane by lane, to the scalar formula in its summary).</summary>
internal static class WorkingKernels
{
    /// <summary>mu[i] = clamp(mu[i], lo, hi).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ClampMeans(Span<double> mu, double lo, double hi)
    {
        int vw = Vector<double>.Count, i = 0;
        var vlo = new Vector<double>(lo);
        var vhi = new Vector<double>(hi);
        for (; i <= mu.Length - vw; i += vw) Vector.Min(Vector.Max(new Vector<double>(mu[i..]), vlo), vhi).CopyTo(mu[i..]);
        for (; i < mu.Length; i++) mu[i] = Math.Clamp(mu[i], lo, hi);
    }

    /// <summary>d[i] = copysign(floor, d[i]) where |d[i]| &lt; floor (R's floor on dmu/deta).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FloorMagnitude(Span<double> d, double floor)
    {
        int vw = Vector<double>.Count, i = 0;
        var vf = new Vector<double>(floor);
        for (; i <= d.Length - vw; i += vw)
        {
            var v = new Vector<double>(d[i..]);
            var small = Vector.LessThan(Vector.Abs(v), vf);
            Vector.ConditionalSelect(small, Vector.CopySign(vf, v), v).CopyTo(d[i..]);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightsAndResponse(ReadOnlySpan<double> eta, ReadOnlySpan<double> offset, ReadOnlySpan<double> y, ReadOnlySpan<double> mu,
        ReadOnlySpan<double> d, ReadOnlySpan<double> w, ReadOnlySpan<double> variance, Span<double> ww, Span<double> z)
    {
        int n = eta.Length, vw = Vector<double>.Count, i = 0;
        for (; i <= n - vw; i += vw)
        {
            var vd = new Vector<double>(d[i..]);
            var vw8 = new Vector<double>(w[i..]);
            var good = Vector.GreaterThan(vw8, Vector<double>.Zero) & ~Vector.Equals(vd, Vector<double>.Zero);
            var e = new Vector<double>(eta[i..]);
            if (!offset.IsEmpty) e -= new Vector<double>(offset[i..]);
            var zv = e + (new Vector<double>(y[i..]) - new Vector<double>(mu[i..])) / vd;
            var wwv = vw8 * vd * vd / new Vector<double>(variance[i..]);
            Vector.ConditionalSelect(good, wwv, Vector<double>.Zero).CopyTo(ww[i..]);
            Vector.ConditionalSelect(good, zv, Vector<double>.Zero).CopyTo(z[i..]);
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
