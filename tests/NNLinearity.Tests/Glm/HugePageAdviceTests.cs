using System;
using NNLinearity.Numerics;
using NNLinearity.Tests.Kernels;
using Xunit;

namespace NNLinearity.Tests.Glm;

/// <summary>
/// The huge-page advice on large per-row buffers is a hint only: advised buffers (managed and native, aligned or not,
/// below and above the size worth advising) keep every value written to them, and the advice never throws. Alone,
/// since it rents from the block cache that <see cref="NativeRowMemoryTests"/> counts.
/// </summary>
[Collection(ExclusiveKernelTeam.Name)]
public unsafe class HugePageAdviceTests
{
    [Theory]
    [InlineData(1_000)]
    [InlineData(524_288)]
    [InlineData(1_000_003)]
    public void AdvisedBuffers_KeepTheirValues(int length)
    {
        double[] managed = new double[length];
        HugePages.Advise(managed);
        for (int i = 0; i < length; i++) managed[i] = i * 0.5;
        for (int i = 0; i < length; i += 997) Assert.Equal(i * 0.5, managed[i]);

        double* native = NativeRowMemory.Rent((long)length * sizeof(double));
        try
        {
            HugePages.Advise(native + 3, (long)(length - 3) * sizeof(double)); // an unaligned range
            for (int i = 0; i < length; i++) native[i] = -i;
            for (int i = 0; i < length; i += 991) Assert.Equal(-i, native[i]);
        }
        finally
        {
            NativeRowMemory.Return(native, (long)length * sizeof(double));
        }
    }
}
