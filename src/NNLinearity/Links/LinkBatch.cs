using System;

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
        CheckLengths(src.Length, dst.Length);
        for (int i = 0; i < src.Length; i++) dst[i] = link.Link(src[i]);
    }

    public static void Inverse<TLink>(in TLink link, ReadOnlySpan<double> src, Span<double> dst) where TLink : struct, ILinkFunction
    {
        CheckLengths(src.Length, dst.Length);
        for (int i = 0; i < src.Length; i++) dst[i] = link.Inverse(src[i]);
    }

    public static void InverseDerivative<TLink>(in TLink link, ReadOnlySpan<double> src, Span<double> dst) where TLink : struct, ILinkFunction
    {
        CheckLengths(src.Length, dst.Length);
        for (int i = 0; i < src.Length; i++) dst[i] = link.InverseDerivative(src[i]);
    }

    public static void InverseWithDerivative<TLink>(in TLink link, ReadOnlySpan<double> src, Span<double> mu, Span<double> dMuDEta) where TLink : struct, ILinkFunction
    {
        CheckLengths(src.Length, mu.Length);
        CheckLengths(src.Length, dMuDEta.Length);
        for (int i = 0; i < src.Length; i++)
        {
            mu[i] = link.Inverse(src[i], out double d);
            dMuDEta[i] = d;
        }
    }

    public static void Link<TLink>(in TLink link, ReadOnlySpan<float> src, Span<float> dst) where TLink : struct, ILinkFunction
    {
        CheckLengths(src.Length, dst.Length);
        for (int i = 0; i < src.Length; i++) dst[i] = (float)link.Link(src[i]);
    }

    public static void Inverse<TLink>(in TLink link, ReadOnlySpan<float> src, Span<float> dst) where TLink : struct, ILinkFunction
    {
        CheckLengths(src.Length, dst.Length);
        for (int i = 0; i < src.Length; i++) dst[i] = (float)link.Inverse(src[i]);
    }

    public static void InverseDerivative<TLink>(in TLink link, ReadOnlySpan<float> src, Span<float> dst) where TLink : struct, ILinkFunction
    {
        CheckLengths(src.Length, dst.Length);
        for (int i = 0; i < src.Length; i++) dst[i] = (float)link.InverseDerivative(src[i]);
    }

    private static void CheckLengths(int source, int destination)
    {
        if (destination < source)
        {
            throw new ArgumentException($"Destination length {destination} is shorter than the source length {source}.", nameof(destination));
        }
    }
}
