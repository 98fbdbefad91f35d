using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;

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
        bool finite512 = true;
        if (Vector512.IsHardwareAccelerated && mom == 0)
        {
            // The same lanes on 512-bit vectors (Vector<T> is 256 bits on this runtime): the update is bound by
            // conversions and loads, so twice the lanes per instruction.
            finite512 = SgdFloat512(theta, g, lr, ref i);
        }

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

        return s == 0 && finite512;
    }

    /// <summary>SGD without momentum over whole 512-bit vectors from <paramref name="i"/> on (advanced past them): SgdFloat's lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SgdFloat512(Span<float> theta, ReadOnlySpan<float> g, double lr, ref int i)
    {
        int n = theta.Length;
        ref float t = ref MemoryMarshal.GetReference(theta);
        ref float gr = ref MemoryMarshal.GetReference(g);
        var vlr = Vector512.Create(lr);
        var acc = Vector512<float>.Zero;
        for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(Vector512.LoadUnsafe(ref gr, (nuint)i));
            Vector512<float> v = Vector512.LoadUnsafe(ref t, (nuint)i) + Vector512.Narrow(-(vlr * lo), -(vlr * hi));
            v.StoreUnsafe(ref t, (nuint)i);
            acc += v * Vector512<float>.Zero;
        }

        return Vector512.Sum(acc) == 0;
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

    /// <summary>Below this many parameters an update runs on the calling thread.</summary>
    public const int ParallelThreshold = 65_536;

    /// <summary>
    /// <see cref="Sgd{T}"/> or <see cref="Adam{T}"/> over contiguous chunks of the parameters, one per thread, on the
    /// <see cref="KernelTeam"/> (on the calling thread alone below <see cref="ParallelThreshold"/> parameters, with
    /// one thread, or when the team is busy). Each parameter's update is independent of the others, so the split
    /// changes no bit. <paramref name="threads"/> &lt;= 0 uses every core.
    /// </summary>
    public static unsafe bool Update<T>(bool adam, Span<T> theta, ReadOnlySpan<T> gradient, Span<double> m, Span<double> v, double lr, double momentumOrB1, double b2,
        double c1, double c2, double eps, int threads)
        where T : unmanaged, INumberBase<T>
    {
        int n = theta.Length;
        int chunks = Math.Min(threads <= 0 ? Environment.ProcessorCount : threads, Math.Max(1, n / (ParallelThreshold / 2)));
        if (chunks > 1)
        {
            fixed (T* pt = theta, pg = gradient)
            fixed (double* pm = m, pv = v)
            {
                UpdateWork<T> work = UpdateWork<T>.ForThisThread;
                work.Set(adam, pt, pg, pm, pv, n, lr, momentumOrB1, b2, c1, c2, eps);
                try
                {
                    if (KernelTeam.Shared.TryRun(work, chunks)) return work.AllFinite;
                }
                finally
                {
                    work.Set(false, null, null, null, null, 0, 0, 0, 0, 0, 0, 0);
                }
            }
        }

        return adam
            ? Adam(theta, gradient, m, v, lr, momentumOrB1, b2, c1, c2, eps)
            : Sgd(theta, gradient, m, lr, momentumOrB1);
    }

    /// <summary>One update as chunked work (one instance per calling thread and element type).</summary>
    private sealed unsafe class UpdateWork<T> : IChunkWork where T : unmanaged, INumberBase<T>
    {
        [ThreadStatic]
        private static UpdateWork<T>? forThisThread;

        private bool _adam;
        private T* _theta, _gradient;
        private double* _m, _v;
        private int _n, _notFinite;
        private double _lr, _b1, _b2, _c1, _c2, _eps;

        public static UpdateWork<T> ForThisThread => forThisThread ??= new UpdateWork<T>();

        public bool AllFinite => Volatile.Read(ref _notFinite) == 0;

        public void Set(bool adam, T* theta, T* gradient, double* m, double* v, int n, double lr, double b1, double b2, double c1, double c2, double eps)
        {
            _adam = adam;
            _theta = theta;
            _gradient = gradient;
            _m = m;
            _v = v;
            _n = n;
            (_lr, _b1, _b2, _c1, _c2, _eps) = (lr, b1, b2, c1, c2, eps);
            _notFinite = 0;
        }

        public void Run(int chunk, int chunks)
        {
            // Chunk edges on multiples of 64 parameters (a whole number of vectors on every width).
            int lo = (int)((long)_n * chunk / chunks) & ~63, hi = chunk == chunks - 1 ? _n : (int)((long)_n * (chunk + 1) / chunks) & ~63;
            if (lo >= hi) return;
            int len = hi - lo;
            var theta = new Span<T>(_theta + lo, len);
            var g = new ReadOnlySpan<T>(_gradient + lo, len);
            // The momentum buffer may be empty (SGD without momentum never reads it).
            Span<double> m = _m == null ? default : new Span<double>(_m + lo, len), v = _v == null ? default : new Span<double>(_v + lo, len);
            bool finite = _adam ? Adam(theta, g, m, v, _lr, _b1, _b2, _c1, _c2, _eps) : Sgd(theta, g, m, _lr, _b1);
            if (!finite) Interlocked.Exchange(ref _notFinite, 1);
        }
    }
}
