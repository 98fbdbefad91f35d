using System;
using System.Linq;
using NNLinearity.Kernels;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Kernels;

/// <summary>The vectorised optimiser updates give the naive loops' bits, step after step, and flag non-finite parameters.</summary>
[Collection(ExclusiveKernelTeam.Name)] // the split update runs on the shared team, which another test could hold
public class UpdateKernelTests
{
    private static readonly int[] Lengths = [0, 1, 7, 16, 33, 1001];

    private static double[] Values(int n, Random rng, double scale) => Enumerable.Range(0, n).Select(_ => (rng.NextDouble() - 0.5) * scale).ToArray();

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.9)]
    public void SgdMatchesTheNaiveLoop(double momentum)
    {
        foreach (int n in Lengths)
        {
            var rng = new Random(n + 1);
            double[] t0 = Values(n, rng, 2);
            float[] tf = Array.ConvertAll(t0, v => (float)v), tfRef = (float[])tf.Clone();
            double[] td = (double[])t0.Clone(), tdRef = (double[])t0.Clone();
            double[] mf = new double[n], mfRef = new double[n], md = new double[n], mdRef = new double[n];
            for (int step = 0; step < 4; step++)
            {
                double[] g = Values(n, rng, 10);
                float[] gf = Array.ConvertAll(g, v => (float)v);
                Assert.True(UpdateKernels.Sgd<float>(tf, gf, mf, 0.01, momentum));
                NaiveUpdates.Sgd(tfRef, gf, mfRef, 0.01, momentum);
                Assert.True(UpdateKernels.Sgd<double>(td, g, md, 0.01, momentum));
                NaiveUpdates.Sgd(tdRef, g, mdRef, 0.01, momentum);
                Assert.Equal(tfRef, tf);
                Assert.Equal(tdRef, td);
            }
        }
    }

    /// <summary>
    /// The update split over threads gives the one-thread update's bits (SGD with and without momentum, Adam; float
    /// and double), and a non-finite parameter in any chunk is reported.
    /// </summary>
    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(false, 0.9)]
    [InlineData(true, 0.9)]
    public void Update_OverThreads_EqualsOneThread(bool adam, double b1)
    {
        const int n = 200_001; // above the threshold, not a multiple of any vector width
        var rng = new Random(n + (adam ? 1 : 0));
        double[] t0 = Values(n, rng, 2), g = Values(n, rng, 10);
        float[] gf = Array.ConvertAll(g, x => (float)x);
        foreach (int threads in new[] { 2, 0 })
        {
            float[] a = Array.ConvertAll(t0, x => (float)x), b = (float[])a.Clone();
            double[] ad = (double[])t0.Clone(), bd = (double[])t0.Clone();
            double[] ma = new double[n], va = new double[n], mb = new double[n], vb = new double[n];
            double[] mad = new double[n], vad = new double[n], mbd = new double[n], vbd = new double[n];
            for (int step = 1; step <= 3; step++)
            {
                double c1 = 1 - Math.Pow(b1, step), c2 = 1 - Math.Pow(0.999, step);
                Assert.True(UpdateKernels.Update<float>(adam, a, gf, ma, va, 1e-3, b1, 0.999, c1, c2, 1e-8, threads: 1));
                Assert.True(UpdateKernels.Update<float>(adam, b, gf, mb, vb, 1e-3, b1, 0.999, c1, c2, 1e-8, threads));
                Assert.True(UpdateKernels.Update<double>(adam, ad, g, mad, vad, 1e-3, b1, 0.999, c1, c2, 1e-8, threads: 1));
                Assert.True(UpdateKernels.Update<double>(adam, bd, g, mbd, vbd, 1e-3, b1, 0.999, c1, c2, 1e-8, threads));
                Assert.Equal(a, b);
                Assert.Equal(ma, mb);
                Assert.Equal(ad, bd);
                Assert.Equal(vad, vbd);
            }

            float[] bad = (float[])gf.Clone();
            bad[n - 5] = float.NaN; // in the last chunk
            Assert.False(UpdateKernels.Update<float>(adam, b, bad, mb, vb, 1e-3, b1, 0.999, 0.5, 0.5, 1e-8, threads));
        }
    }

    [Fact]
    public void AdamMatchesTheNaiveLoop()
    {
        foreach (int n in Lengths)
        {
            var rng = new Random(n + 7);
            double[] t0 = Values(n, rng, 2);
            float[] tf = Array.ConvertAll(t0, v => (float)v), tfRef = (float[])tf.Clone();
            double[] td = (double[])t0.Clone(), tdRef = (double[])t0.Clone();
            double[] mf = new double[n], vf = new double[n], mfRef = new double[n], vfRef = new double[n];
            double[] md = new double[n], vd = new double[n], mdRef = new double[n], vdRef = new double[n];
            for (int step = 1; step <= 4; step++)
            {
                double[] g = Values(n, rng, 10);
                float[] gf = Array.ConvertAll(g, v => (float)v);
                double c1 = 1 - Math.Pow(0.9, step), c2 = 1 - Math.Pow(0.999, step);
                Assert.True(UpdateKernels.Adam<float>(tf, gf, mf, vf, 1e-3, 0.9, 0.999, c1, c2, 1e-8));
                NaiveUpdates.Adam(tfRef, gf, mfRef, vfRef, 1e-3, 0.9, 0.999, step, 1e-8);
                Assert.True(UpdateKernels.Adam<double>(td, g, md, vd, 1e-3, 0.9, 0.999, c1, c2, 1e-8));
                NaiveUpdates.Adam(tdRef, g, mdRef, vdRef, 1e-3, 0.9, 0.999, step, 1e-8);
                Assert.Equal(tfRef, tf);
                Assert.Equal(tdRef, td);
                Assert.Equal(mfRef, mf);
                Assert.Equal(vdRef, vd);
            }
        }
    }

    [Fact]
    public void NonFiniteParametersAndGradientsAreReported()
    {
        foreach (int n in new[] { 1, 16, 1001 })
        {
            for (int at = 0; at < n; at += Math.Max(1, n / 5))
            {
                float[] theta = new float[n];
                float[] g = new float[n];
                g[at] = float.NaN;
                Assert.False(UpdateKernels.AllFinite<float>(g));
                g[at] = 0;
                theta[at] = float.MaxValue;
                g[at] = -1e30f; // lr * g overflows float when added
                Assert.False(UpdateKernels.Sgd<float>(theta, g, new double[n], 1e10, 0));
                double[] td = new double[n];
                double[] gd = new double[n];
                gd[at] = double.PositiveInfinity;
                Assert.False(UpdateKernels.AllFinite<double>(gd));
                Assert.False(UpdateKernels.Adam<double>(td, gd, new double[n], new double[n], 1e-3, 0.9, 0.999, 0.1, 0.001, 1e-8));
            }
        }
    }
}
