using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace NNLinearity.Kernels;

/// <summary>One vector in, one or two vectors out: the body of an elementwise kernel for <see cref="StreamingDriver"/>.</summary>
/// <typeparam name="TV">The lane wrapper.</typeparam>
internal interface IVectorBody<TV>
{
    static abstract void Invoke(TV x, out TV first, out TV second);
}

/// <summary>
/// The elementwise driver for spans far larger than the caches (TensorPrimitives streams its outputs the same way):
/// the first destination is aligned to the vector's size by one unaligned head vector, the aligned body is written
/// with non-temporal stores (the second destination too when it shares the first one's alignment), and the last
/// vector is stored unaligned. Every value is the one the plain driver computes, lane by lane; the head, the first
/// aligned vector and the last vector are computed before anything is stored, so a destination may be the source.
/// </summary>
internal static unsafe class StreamingDriver
{
    /// <summary>Outputs from this many bytes on are streamed (TensorPrimitives' threshold).</summary>
    public const long ThresholdBytes = 256 * 1024;

    /// <summary>True when a span of <paramref name="n"/> elements of <paramref name="elementSize"/> bytes is streamed.</summary>
    public static bool Worthwhile(int n, int elementSize) => (long)n * elementSize >= ThresholdBytes;

    /// <summary>
    /// Runs the body over n elements (n at least two vectors): second may be null. Returns false, having stored
    /// nothing, when the first destination cannot be aligned (an element address that is not a multiple of the
    /// element size).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Run<TBody, TV, T>(T* src, T* first, T* second, int n)
        where TBody : struct, IVectorBody<TV>
        where TV : struct, ISimd<TV, T>
        where T : unmanaged
    {
        int vw = TV.Count;
        nuint bytes = (nuint)(vw * sizeof(T));
        nuint misalign = (nuint)first % bytes;
        if (misalign % (nuint)sizeof(T) != 0 || n < 3 * vw) return false;
        bool streamSecond = second != null && ((nuint)second - (nuint)first) % bytes == 0;
        nuint start = misalign == 0 ? 0 : (bytes - misalign) / (nuint)sizeof(T);
        nuint lastAt = (nuint)(n - vw);
        // The last vector, the head and the first aligned vector, computed before anything is stored (a destination
        // may be the source) in one loop: with the two loops below, the body is inlined in three places only, which
        // keeps a large body (an exponential with its general path) within the compiler's inlining budget.
        T* edges = stackalloc T[6 * vw];
        for (int k = 0; k < 3; k++)
        {
            TBody.Invoke(TV.Load(ref *src, k == 0 ? lastAt : k == 1 ? 0 : start), out TV e1, out TV e2);
            TV.Store(e1, ref *edges, (nuint)(2 * k * vw));
            TV.Store(e2, ref *edges, (nuint)((2 * k + 1) * vw));
        }

        TV last1 = TV.Load(ref *edges, 0), last2 = TV.Load(ref *edges, (nuint)vw);
        TV head1 = TV.Load(ref *edges, (nuint)(2 * vw)), head2 = TV.Load(ref *edges, (nuint)(3 * vw));
        TV a1 = TV.Load(ref *edges, (nuint)(4 * vw)), a2 = TV.Load(ref *edges, (nuint)(5 * vw));
        TV.Store(head1, ref *first, 0);
        if (second != null) TV.Store(head2, ref *second, 0);
        TV.StoreStreaming(a1, first + start);
        if (streamSecond) TV.StoreStreaming(a2, second + start);
        else if (second != null) TV.Store(a2, ref *second, start);
        nuint i = start + (nuint)vw;
        if (second == null)
        {
            for (; i <= lastAt; i += (nuint)vw)
            {
                TBody.Invoke(TV.Load(ref *src, i), out TV v1, out _);
                TV.StoreStreaming(v1, first + i);
            }
        }
        else
        {
            for (; i <= lastAt; i += (nuint)vw)
            {
                TBody.Invoke(TV.Load(ref *src, i), out TV v1, out TV v2);
                TV.StoreStreaming(v1, first + i);
                if (streamSecond) TV.StoreStreaming(v2, second + i);
                else TV.Store(v2, ref *second, i);
            }
        }

        if (Sse.IsSupported) Sse.StoreFence(); // order the streamed lines before any later store (a flag another thread reads)
        TV.Store(last1, ref *first, lastAt);
        if (second != null) TV.Store(last2, ref *second, lastAt);
        return true;
    }
}
