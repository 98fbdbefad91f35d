using System;
using System.Numerics;
using NNLinearity.Kernels;

namespace NNLinearity.Links;

/// <summary>
/// The elementwise drivers behind every link's span members. Generic over the link struct, so each link gets its
/// own compiled loop with the scalar member inlined. Single precision is computed in double and rounded once, which
/// gives the correctly rounded result except in rare double-rounding cases (at most 1 ulp).
/// </summary>
internal static class LinkBatch
{
    public static void Link<TLink>(in TLink link, ReadOnlySpan<double> src, Span<double> dst) where TLink : struct, ILinkFunction
    {
        CheckLengths(src.Length, dst.Length, "eta");
        for (int i = 0; i < src.Length; i++) dst[i] = link.Link(src[i]);
    }

    public static void Inverse<TLink>(in TLink link, ReadOnlySpan<double> src, Span<double> dst) where TLink : struct, ILinkFunction
    {
        CheckLengths(src.Length, dst.Length, "mu");
        for (int i = 0; i < src.Length; i++) dst[i] = link.Inverse(src[i]);
    }

    public static void InverseDerivative<TLink>(in TLink link, ReadOnlySpan<double> src, Span<double> dst) where TLink : struct, ILinkFunction
    {
        CheckLengths(src.Length, dst.Length, "dMuDEta");
        for (int i = 0; i < src.Length; i++) dst[i] = link.InverseDerivative(src[i]);
    }

    public static void InverseWithDerivative<TLink>(in TLink link, ReadOnlySpan<double> src, Span<double> mu, Span<double> dMuDEta) where TLink : struct, ILinkFunction
    {
        CheckLengths(src.Length, mu.Length, nameof(mu));
        CheckLengths(src.Length, dMuDEta.Length, nameof(dMuDEta));
        for (int i = 0; i < src.Length; i++)
        {
            mu[i] = link.Inverse(src[i], out double d);
            dMuDEta[i] = d;
        }
    }

    public static void Link<TLink>(in TLink link, ReadOnlySpan<float> src, Span<float> dst) where TLink : struct, ILinkFunction
    {
        CheckLengths(src.Length, dst.Length, "eta");
        for (int i = 0; i < src.Length; i++) dst[i] = (float)link.Link(src[i]);
    }

    public static void Inverse<TLink>(in TLink link, ReadOnlySpan<float> src, Span<float> dst) where TLink : struct, ILinkFunction
    {
        CheckLengths(src.Length, dst.Length, "mu");
        for (int i = 0; i < src.Length; i++) dst[i] = (float)link.Inverse(src[i]);
    }

    public static void InverseDerivative<TLink>(in TLink link, ReadOnlySpan<float> src, Span<float> dst) where TLink : struct, ILinkFunction
    {
        CheckLengths(src.Length, dst.Length, "dMuDEta");
        for (int i = 0; i < src.Length; i++) dst[i] = (float)link.InverseDerivative(src[i]);
    }

    /// <summary>ReLU's means: <see cref="Relu{T}(ReadOnlySpan{T}, Span{T}, Span{T}, bool, bool)"/>.</summary>
    public static void ReluInverse<T>(ReadOnlySpan<T> eta, Span<T> mu) where T : unmanaged, IBinaryFloatingPointIeee754<T> => Relu(eta, mu, default, true, false);

    /// <summary>ReLU's slopes: <see cref="Relu{T}(ReadOnlySpan{T}, Span{T}, Span{T}, bool, bool)"/>.</summary>
    public static void ReluDerivative<T>(ReadOnlySpan<T> eta, Span<T> dMuDEta) where T : unmanaged, IBinaryFloatingPointIeee754<T> => Relu(eta, default, dMuDEta, false, true);

    /// <summary>ReLU's means and slopes in one pass: <see cref="Relu{T}(ReadOnlySpan{T}, Span{T}, Span{T}, bool, bool)"/>.</summary>
    public static void ReluBoth<T>(ReadOnlySpan<T> eta, Span<T> mu, Span<T> dMuDEta) where T : unmanaged, IBinaryFloatingPointIeee754<T> => Relu(eta, mu, dMuDEta, true, true);

    /// <summary>
    /// ReLU's means (eta &gt; 0 ? eta : 0) and slopes (eta &gt; 0 ? 1 : 0), a vector at a time: the scalar members'
    /// bits (-0 and NaN give +0, as there). The means may overwrite eta.
    /// </summary>
    private static void Relu<T>(ReadOnlySpan<T> eta, Span<T> mu, Span<T> dMuDEta, bool wantMu, bool wantD) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = eta.Length, i = 0;
        if (wantMu) CheckLengths(n, mu.Length, nameof(mu));
        if (wantD) CheckLengths(n, dMuDEta.Length, nameof(dMuDEta));
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
            {
                var e = new Vector<T>(eta[i..]);
                Vector<T> positive = Vector.GreaterThan(e, Vector<T>.Zero);
                if (wantD) Vector.ConditionalSelect(positive, Vector<T>.One, Vector<T>.Zero).CopyTo(dMuDEta[i..]);
                if (wantMu) Vector.ConditionalSelect(positive, e, Vector<T>.Zero).CopyTo(mu[i..]);
            }
        }

        for (; i < n; i++)
        {
            T e = eta[i];
            bool positive = e > T.Zero;
            if (wantD) dMuDEta[i] = positive ? T.One : T.Zero;
            if (wantMu) mu[i] = positive ? e : T.Zero;
        }
    }

    /// <summary>
    /// Leaky ReLU's means (eta &gt;= 0 ? eta : alpha eta) and slopes (eta &gt; 0 ? 1 : alpha), a vector at a time and
    /// in double (a float is widened, computed as the scalar members compute it, and rounded once): the scalar
    /// members' bits. The means may overwrite eta.
    /// </summary>
    public static void LeakyRelu(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta, double alpha, bool wantMu, bool wantD)
    {
        int n = eta.Length, i = 0;
        if (wantMu) CheckLengths(n, mu.Length, nameof(mu));
        if (wantD) CheckLengths(n, dMuDEta.Length, nameof(dMuDEta));
        if (Vector.IsHardwareAccelerated)
        {
            var a = new Vector<double>(alpha);
            for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
            {
                var e = new Vector<double>(eta[i..]);
                if (wantD) Vector.ConditionalSelect(Vector.GreaterThan(e, Vector<double>.Zero), Vector<double>.One, a).CopyTo(dMuDEta[i..]);
                if (wantMu) Vector.ConditionalSelect(Vector.GreaterThanOrEqual(e, Vector<double>.Zero), e, a * e).CopyTo(mu[i..]);
            }
        }

        for (; i < n; i++)
        {
            double e = eta[i];
            if (wantD) dMuDEta[i] = e > 0 ? 1.0 : alpha;
            if (wantMu) mu[i] = e >= 0 ? e : alpha * e;
        }
    }

    /// <summary>The float version of <see cref="LeakyRelu(ReadOnlySpan{double}, Span{double}, Span{double}, double, bool, bool)"/>.</summary>
    public static void LeakyRelu(ReadOnlySpan<float> eta, Span<float> mu, Span<float> dMuDEta, double alpha, bool wantMu, bool wantD)
    {
        int n = eta.Length, i = 0;
        if (wantMu) CheckLengths(n, mu.Length, nameof(mu));
        if (wantD) CheckLengths(n, dMuDEta.Length, nameof(dMuDEta));
        if (Vector.IsHardwareAccelerated)
        {
            var a = new Vector<double>(alpha);
            var slope = new Vector<float>((float)alpha);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var e = new Vector<float>(eta[i..]);
                if (wantD) Vector.ConditionalSelect(Vector.GreaterThan(e, Vector<float>.Zero), Vector<float>.One, slope).CopyTo(dMuDEta[i..]);
                if (wantMu)
                {
                    Vector.Widen(e, out Vector<double> lo, out Vector<double> hi);
                    lo = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(lo, Vector<double>.Zero), lo, a * lo);
                    hi = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(hi, Vector<double>.Zero), hi, a * hi);
                    Vector.Narrow(lo, hi).CopyTo(mu[i..]);
                }
            }
        }

        for (; i < n; i++)
        {
            double e = eta[i];
            if (wantD) dMuDEta[i] = (float)(e > 0 ? 1.0 : alpha);
            if (wantMu) mu[i] = (float)(e >= 0 ? e : alpha * e);
        }
    }

    /// <summary>
    /// An activation kernel's means and/or slopes (<see cref="ActivationKernels"/>), with the span members'
    /// refusals: the kernel itself reads an empty destination as not wanted.
    /// </summary>
    public static void Activation<TOp>(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta, bool wantMu, bool wantD) where TOp : struct, ActivationKernels.IActivation
    {
        if (wantMu) CheckLengths(eta.Length, mu.Length, nameof(mu));
        if (wantD) CheckLengths(eta.Length, dMuDEta.Length, nameof(dMuDEta));
        ActivationKernels.Apply<TOp>(eta, mu, dMuDEta);
    }

    /// <summary>The float version of <see cref="Activation{TOp}(ReadOnlySpan{double}, Span{double}, Span{double}, bool, bool)"/>.</summary>
    public static void Activation<TOp>(ReadOnlySpan<float> eta, Span<float> mu, Span<float> dMuDEta, bool wantMu, bool wantD) where TOp : struct, ActivationKernels.IActivation
    {
        if (wantMu) CheckLengths(eta.Length, mu.Length, nameof(mu));
        if (wantD) CheckLengths(eta.Length, dMuDEta.Length, nameof(dMuDEta));
        ActivationKernels.Apply<TOp>(eta, mu, dMuDEta);
    }

    /// <summary>Refuses a destination shorter than its source, naming the public member's parameter.</summary>
    public static void CheckLengths(int source, int destination, string name)
    {
        if (destination < source)
        {
            throw new ArgumentException($"{name} has {destination} values, shorter than its source ({source} values).", name);
        }
    }
}
