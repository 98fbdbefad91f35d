using System;
using NNLinearity.Numerics;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Kernels;

/// <summary>
/// The IRLS block loader (<see cref="DesignSource.LoadRowsPredict"/>) against a naive oracle: the block holds the
/// predictors, then the intercept, then zeros, exactly; the linear predictor is the row's dot product with beta plus
/// the offset (to 1e-14 relative to the sum of |terms|). Runs whichever path this process takes (AVX-512 where
/// accelerated: CI reruns it with narrower vectors and without intrinsics) on row-major, strided and column-major sources.
/// </summary>
public unsafe class DesignLoaderTests
{
    public static TheoryData<int, bool, int> Shapes()
    {
        var d = new TheoryData<int, bool, int>();
        foreach (int k in new[] { 0, 1, 3, 7, 8, 9, 16, 20, 23, 24, 31, 32, 37 })
        {
            foreach (bool intercept in new[] { true, false })
            {
                if (k == 0 && !intercept) continue;
                foreach (int layout in new[] { 0, 1, 2 }) d.Add(k, intercept, layout); // 0 row-major, 1 row-major with a longer row stride, 2 column-major
            }
        }

        return d;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LoadRowsPredict_MatchesNaiveLoop(int k, bool intercept, int layout)
    {
        const int n = 203;
        var rng = new Random(k * 10 + (intercept ? 1 : 0) + 100 * layout);
        long rowStride = layout switch { 0 => k, 1 => k + 3, _ => 1 };
        long colStride = layout == 2 ? n : 1;
        double[] x = new double[Math.Max(1, (int)(layout == 2 ? (long)n * k : n * rowStride))];
        for (int i = 0; i < x.Length; i++) x[i] = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 4));
        int p = k + (intercept ? 1 : 0);
        int stride = WeightedGram.PaddedColumns(p + 1);
        double[] beta = new double[p];
        for (int j = 0; j < p; j++) beta[j] = rng.NextDouble() * 4 - 2;
        double[] offset = new double[n];
        for (int i = 0; i < n; i++) offset[i] = rng.NextDouble() - 0.5;
        fixed (double* px = x)
        {
            var source = new DesignSource(px, n, k, rowStride, colStride, intercept);
            double[] betaBlock = new double[stride];
            for (int j = 0; j < p; j++) betaBlock[source.BlockColumn(j)] = beta[j];
            foreach (bool withOffset in new[] { false, true })
            {
                foreach ((int r0, int rows) in new[] { (0, 128), (128, 75), (200, 3), (17, 9) })
                {
                    double[] u = new double[rows * stride];
                    u.AsSpan().Fill(double.NaN); // every cell must be written
                    double[] eta = new double[rows];
                    bool askAhead = (r0 + rows) % 2 == 0; // the loader asks the cache for rows ahead, or leaves that to the Gram kernel
                    Assert.True(source.LoadRowsPredict(r0, rows, u, stride, betaBlock, withOffset ? offset.AsSpan(r0, rows) : default, eta, askAhead));

                    // Rows loaded eight at a time (the shaped loader of narrow designs) and one at a time give the same bits.
                    for (int i = 0; i < rows; i++)
                    {
                        double[] one = new double[stride], etaOne = new double[1];
                        Assert.True(source.LoadRowsPredict(r0 + i, 1, one, stride, betaBlock, withOffset ? offset.AsSpan(r0 + i, 1) : default, etaOne, !askAhead));
                        Assert.Equal(BitConverter.DoubleToInt64Bits(eta[i]), BitConverter.DoubleToInt64Bits(etaOne[0]));
                        Assert.True(one.AsSpan().SequenceEqual(u.AsSpan(i * stride, stride)));
                    }

                    double[] uOnly = new double[rows * stride];
                    Assert.True(source.LoadRowsPredict(r0, rows, uOnly, stride, default, default, default));
                    for (int i = 0; i < rows; i++)
                    {
                        double sum = withOffset ? offset[r0 + i] : 0, size = Math.Abs(sum);
                        for (int j = 0; j < stride; j++)
                        {
                            double expected = j < k ? x[(r0 + i) * rowStride + j * colStride] : j == k && intercept ? 1.0 : 0.0;
                            Assert.Equal(expected, u[i * stride + j]);
                            Assert.Equal(expected, uOnly[i * stride + j]);
                        }

                        for (int j = 0; j < p; j++)
                        {
                            double value = source[r0 + i, j] * beta[j];
                            sum += value;
                            size += Math.Abs(value);
                        }

                        Tolerance.Equal(sum, eta[i], 0, 1e-14 * size, $"eta[{r0 + i}]");
                    }
                }
            }

            // A NaN or an infinity anywhere in the rows is reported, with and without beta.
            if (k == 0) return;
            foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
            {
                foreach (int row in new[] { 0, 7, 8, 130, 202 })
                {
                    long cell = row * rowStride + (row % k) * colStride;
                    double keep = x[cell];
                    x[cell] = bad;
                    int r0 = row >= 128 ? 128 : 0, rows = Math.Min(128, n - r0);
                    Assert.False(source.LoadRowsPredict(r0, rows, new double[rows * stride], stride, default, default, default));
                    Assert.False(source.LoadRowsPredict(r0, rows, new double[rows * stride], stride, betaBlock, default, new double[rows]));
                    x[cell] = keep;
                }
            }
        }
    }
}
