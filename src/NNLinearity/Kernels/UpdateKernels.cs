using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NNLinearity.Kernels;

/// <summary>
/// The optimisers' parameter updates over the flat parameter vector, vectorised: each lane computes exactly the scalar
/// formula in the summary (the same operations in the same order, in double, rounded to the parameters' type once),
/// and reports in the same pass whether every updated parameter is finite.
/// </summary>
internal static class UpdateKernels
{
    /// <summary>True when every value is finite (x * 0 is 0 exactly for finite x, NaN otherwise).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool AllFinite<T>(ReadOnlySpan<T> values) where T : unmanaged, INumberBase<T>
    {
        int vw = Vector<T>.Count, i = 0;
        var acc = Vector<T>.Zero;
        for (; i <= values.Length - vw; i += vw) acc += new Vector<T>(values[i..]) * Vector<T>.Zero;
        T s = Vector.Sum(acc);
        for (; i < values.Length; i++) s += values[i] * T.Zero;
        return T.IsZero(s);
    }

    /// <summary>
    /// SGD with heavy-ball momentum: m = momentum m - lr g (double), theta += (T)m. With momentum 0 the buffer is
    /// neither read nor written (m would be -lr g). Returns whether every updated parameter is finite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Sgd<T>(Span<T> theta, ReadOnlySpan<T> gradient, Span<double> m, double learningRate, double momentum)
        where T : unmanaged, INumberBase<T>
    {
        if (typeof(T) == typeof(float)) return SgdFloat(MemoryMarshal.Cast<T, float>(theta), MemoryMarshal.Cast<T, float>(gradient), m, learningRate, momentum);
        if (typeof(T) == typeof(double)) return SgdDouble(MemoryMarshal.Cast<T, double>(theta), MemoryMarshal.Cast<T, double>(gradient), m, learningRate, momentum);
        for (int i = 0; i < theta.Length; i++)
        {
            double step = momentum == 0 ? -(learningRate * double.CreateTruncating(gradient[i])) : m[i] = momentum * m[i] - learningRate * double.CreateTruncating(gradient[i]);
            theta[i] += T.CreateTruncating(step);
        }

        return AllFinite<T>(theta);
    }

    private static bool SgdFloat(Span<float> theta, ReadOnlySpan<float> g, Span<double> m, double lr, double mom)
    {
        int n = theta.Length, vw = Vector<float>.Count, dw = Vector<double>.Count, i = 0;
        var vlr = new Vector<double>(lr);
        var vmom = new Vector<double>(mom);
        var acc = Vector<float>.Zero;
        for (; i <= n - vw; i += vw)
        {
            Vector.Widen(new Vector<float>(g[i..]), out Vector<double> lo, out Vector<double> hi);
            Vector<double> slo, shi;
            if (mom == 0)
            {
                slo = -(vlr * lo);
                shi = -(vlr * hi);
            }
            else
            {
                slo = vmom * new Vector<double>(m[i..]) - vlr * lo;
                shi = vmom * new Vector<double>(m[(i + dw)..]) - vlr * hi;
                slo.CopyTo(m[i..]);
                shi.CopyTo(m[(i + dw)..]);
            }

            Vector<float> t = new Vector<float>(theta[i..]) + Vector.Narrow(slo, shi);
            t.CopyTo(theta[i..]);
            acc += t * Vector<float>.Zero;
        }

        float s = Vector.Sum(acc);
        for (; i < n; i++)
        {
            double step = mom == 0 ? -(lr * g[i]) : m[i] = mom * m[i] - lr * g[i];
            theta[i] += (float)step;
            s += theta[i] * 0f;
        }

        return s == 0;
    }

    private static bool SgdDouble(Span<double> theta, ReadOnlySpan<double> g, Span<double> m, double lr, double mom)
    {
        int n = theta.Length, vw = Vector<double>.Count, i = 0;
        var vlr = new Vector<double>(lr);
        var vmom = new Vector<double>(mom);
        var acc = Vector<double>.Zero;
        for (; i <= n - vw; i += vw)
        {
            Vector<double> step;
            if (mom == 0)
            {
                step = -(vlr * new Vector<double>(g[i..]));
            }
            else
            {
                step = vmom * new Vector<double>(m[i..]) - vlr * new Vector<double>(g[i..]);
                step.CopyTo(m[i..]);
            }

            Vector<double> t = new Vector<double>(theta[i..]) + step;
            t.CopyTo(theta[i..]);
            acc += t * Vector<double>.Zero;
        }

        double s = Vector.Sum(acc);
        for (; i < n; i++)
        {
            double step = mom == 0 ? -(lr * g[i]) : m[i] = mom * m[i] - lr * g[i];
            theta[i] += step;
            s += theta[i] * 0.0;
        }

        return s == 0;
    }

    /// <summary>
    /// Adam: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g g, theta -= (T)(lr (m / c1) / (sqrt(v / c2) + eps)) with the
    /// bias corrections c1 = 1 - b1^t, c2 = 1 - b2^t. Returns whether every updated parameter is finite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Adam<T>(Span<T> theta, ReadOnlySpan<T> gradient, Span<double> m, Span<double> v, double lr, double b1, double b2, double c1, double c2, double eps)
        where T : unmanaged, INumberBase<T>
    {
        if (typeof(T) == typeof(float)) return AdamFloat(MemoryMarshal.Cast<T, float>(theta), MemoryMarshal.Cast<T, float>(gradient), m, v, lr, b1, b2, c1, c2, eps);
        int n = theta.Length, dw = Vector<double>.Count, i = 0;
        if (typeof(T) == typeof(double))
        {
            Span<double> th = MemoryMarshal.Cast<T, double>(theta);
            ReadOnlySpan<double> g = MemoryMarshal.Cast<T, double>(gradient);
            var acc = Vector<double>.Zero;
            for (; i <= n - dw; i += dw)
            {
                Vector<double> t = new Vector<double>(th[i..]) - AdamStep(new Vector<double>(g[i..]), m[i..], v[i..], lr, b1, b2, c1, c2, eps);
                t.CopyTo(th[i..]);
                acc += t * Vector<double>.Zero;
            }

            if (Vector.Sum(acc) != 0) return false;
        }

        for (; i < n; i++)
        {
            double gi = double.CreateTruncating(gradient[i]);
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            theta[i] -= T.CreateTruncating(lr * (m[i] / c1) / (Math.Sqrt(v[i] / c2) + eps));
        }

        return AllFinite<T>(theta);
    }

    private static bool AdamFloat(Span<float> theta, ReadOnlySpan<float> g, Span<double> m, Span<double> v, double lr, double b1, double b2, double c1, double c2, double eps)
    {
        int n = theta.Length, vw = Vector<float>.Count, dw = Vector<double>.Count, i = 0;
        var acc = Vector<float>.Zero;
        for (; i <= n - vw; i += vw)
        {
            Vector.Widen(new Vector<float>(g[i..]), out Vector<double> lo, out Vector<double> hi);
            Vector<double> slo = AdamStep(lo, m[i..], v[i..], lr, b1, b2, c1, c2, eps);
            Vector<double> shi = AdamStep(hi, m[(i + dw)..], v[(i + dw)..], lr, b1, b2, c1, c2, eps);
            Vector<float> t = new Vector<float>(theta[i..]) - Vector.Narrow(slo, shi);
            t.CopyTo(theta[i..]);
            acc += t * Vector<float>.Zero;
        }

        float s = Vector.Sum(acc);
        for (; i < n; i++)
        {
            double gi = g[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            theta[i] -= (float)(lr * (m[i] / c1) / (Math.Sqrt(v[i] / c2) + eps));
            s += theta[i] * 0f;
        }

        return s == 0;
    }

    /// <summary>The Adam step of one vector of lanes, updating its m and v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> AdamStep(Vector<double> g, Span<double> m, Span<double> v, double lr, double b1, double b2, double c1, double c2, double eps)
    {
        Vector<double> mv = new Vector<double>(b1) * new Vector<double>(m) + new Vector<double>(1 - b1) * g;
        Vector<double> vv = new Vector<double>(b2) * new Vector<double>(v) + new Vector<double>(1 - b2) * g * g;
        mv.CopyTo(m);
        vv.CopyTo(v);
        return new Vector<double>(lr) * (mv / new Vector<double>(c1)) / (Vector.SquareRoot(vv / new Vector<double>(c2)) + new Vector<double>(eps));
    }
}
