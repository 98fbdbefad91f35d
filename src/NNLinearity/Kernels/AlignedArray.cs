using System;

namespace NNLinearity.Kernels;

/// <summary>
/// Zeroed buffers in pinned arrays (which never move) starting on a cache line at a chosen offset within a 4 KiB page:
/// an array's own start is only 8-byte aligned, and a 512-bit load across two lines costs two. Stateless; safe to call
/// from any thread.
/// </summary>
internal static class AlignedArray
{
    /// <summary>Bytes in a page: buffers read together at the same offset within their pages meet in the same L1 sets.</summary>
    public const int PageBytes = 4096;

    /// <summary>
    /// <paramref name="length"/> zeroed values starting <paramref name="offsetInPage"/> bytes (a multiple of 64, below
    /// <see cref="PageBytes"/>) past a page boundary.
    /// </summary>
    public static unsafe ArraySegment<T> Allocate<T>(int length, int offsetInPage = 0) where T : unmanaged
    {
        int size = sizeof(T);
        if (length < 0 || length > Array.MaxLength - PageBytes / size)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"A buffer holds 0 to {Array.MaxLength - PageBytes / size} values (an array of at most {Array.MaxLength} with a page of padding).");
        }

        T[] array = GC.AllocateArray<T>(length + PageBytes / size, pinned: true);
        fixed (T* start = array)
        {
            int skip = (int)((offsetInPage - ((nint)start & (PageBytes - 1)) + PageBytes) & (PageBytes - 1));
            return new ArraySegment<T>(array, skip / size, length);
        }
    }
}
