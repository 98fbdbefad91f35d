using System;

namespace NNLinearity.Tests.Fixtures;

/// <summary>The kinds of large benchmark problem.</summary>
public enum LargeGlmProblem
{
    Logistic,
    Poisson,
}

/// <summary>
/// The benchmark-sized GLM data (1,000,000 x 20 + intercept by default), generated from a seed with System.Random's
/// seeded (stable) algorithm. Shared by the tests (against R's fit of the same arrays, large_glm.json) and by the
/// benchmarks, which also export the arrays for R (benchmarks/NNLinearity.Benchmarks/r/).
/// </summary>
public static class LargeGlmData
{
    public static (double[] X, double[] Y) Generate(LargeGlmProblem problem, int n, int k, int seed)
    {
        var rng = new Random(seed);
        double[] x = new double[n * k], y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double eta = problem == LargeGlmProblem.Logistic ? -0.5 : 0.3;
            for (int j = 0; j < k; j++)
            {
                double v = rng.NextDouble() * 2 - 1;
                x[i * k + j] = v;
                eta += 0.1 * (j % 5 - 2) * v;
            }

            y[i] = problem == LargeGlmProblem.Logistic ? (rng.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1 : 0) : Poisson(rng, Math.Exp(eta));
        }

        return (x, y);
    }

    private static double Poisson(Random rng, double mean)
    {
        double l = Math.Exp(-mean), p = 1;
        int k = 0;
        do
        {
            k++;
            p *= rng.NextDouble();
        }
        while (p > l);
        return k - 1;
    }
}
