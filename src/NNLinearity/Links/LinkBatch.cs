using System;

namespace NNLinearity.Links;

/// <summary>
/// The elementwise drivers behind every link's span members. Generic over the link struct, so each link gets its
/// own compiled loop with the scalar member inlined. Single precision is computed in double and rounded once, which
/// gives the correctly rounded result except in rare double-rounding cases (at most 1 ulp).
/// </summary>
internal static class LinkBatch
{
    private enum Op { Link, Inverse, InverseDerivative }

    public static void Link<TLink>(in TLink link, ReadOnlySpan<double> src, Span<double> dst) where TLink : struct, ILinkFunction
        => Run(link, Op.Link, src, dst);

    public static void Inverse<TLink>(in TLink link, ReadOnlySpan<double> src, Span<double> dst) where TLink : struct, ILinkFunction
        => Run(link, Op.Inverse, src, dst);

    public static void InverseDerivative<TLink>(in TLink link, ReadOnlySpan<double> src, Span<double> dst) where TLink : struct, ILinkFunction
        => Run(link, Op.InverseDerivative, src, dst);

    public static void Link<TLink>(in TLink link, ReadOnlySpan<float> src, Span<float> dst) where TLink : struct, ILinkFunction
        => Run(link, Op.Link, src, dst);

    public static void Inverse<TLink>(in TLink link, ReadOnlySpan<float> src, Span<float> dst) where TLink : struct, ILinkFunction
        => Run(link, Op.Inverse, src, dst);

    public static void InverseDerivative<TLink>(in TLink link, ReadOnlySpan<float> src, Span<float> dst) where TLink : struct, ILinkFunction
        => Run(link, Op.InverseDerivative, src, dst);

    private static void Run<TLink>(in TLink link, Op op, ReadOnlySpan<double> src, Span<double> dst) where TLink : struct, ILinkFunction
    {
        CheckLengths(src.Length, dst.Length);
        for (int i = 0; i < src.Length; i++)
        {
            dst[i] = Apply(link, op, src[i]);
        }
    }

    private static void Run<TLink>(in TLink link, Op op, ReadOnlySpan<float> src, Span<float> dst) where TLink : struct, ILinkFunction
    {
        CheckLengths(src.Length, dst.Length);
        for (int i = 0; i < src.Length; i++)
        {
            dst[i] = (float)Apply(link, op, src[i]);
        }
    }

    private static double Apply<TLink>(in TLink link, Op op, double x) where TLink : struct, ILinkFunction => op switch
    {
        Op.Link => link.Link(x),
        Op.Inverse => link.Inverse(x),
        _ => link.InverseDerivative(x),
    };

    private static void CheckLengths(int source, int destination)
    {
        if (destination < source)
        {
            throw new ArgumentException($"Destination length {destination} is shorter than the source length {source}.", nameof(destination));
        }
    }
}
