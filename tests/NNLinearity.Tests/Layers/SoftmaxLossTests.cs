using System;
using NNLinearity.Layers;
using NNLinearity.Tests.Reference;
using Xunit;

namespace NNLinearity.Tests.Layers;

/// <summary>
/// The multinomial output loss takes its exponentials on vectors over blocks of rows: its loss and gradient against
/// the scalar row-by-row formula, for class counts that fill a block exactly, leave a partial block, or exceed one,
/// with weights, soft labels and linear predictors far apart.
/// </summary>
public class SoftmaxLossTests
{
    public static TheoryData<int, int> Shapes => new()
    {
        { 1, 1 }, { 7, 1 }, { 3, 2 }, { 256, 10 }, { 100, 3 }, { 53, 51 }, { 60, 52 }, { 9, 512 }, { 4, 513 }, { 3, 700 }, { 0, 10 },
    };

    private static (double[] Eta, double[] Y, double[] W) Data(int rows, int k, int seed)
    {
        var rng = new Random(seed);
        var eta = new double[rows * k];
        var y = new double[rows * k];
        var w = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            // Spreads from 1 to 1000 (the far classes' exp underflows to 0), some rows soft, some one-hot.
            double spread = Math.Pow(10, rng.Next(4));
            for (int j = 0; j < k; j++) eta[i * k + j] = spread * (2 * rng.NextDouble() - 1) + (i % 3 == 0 ? 80 : 0);
            if (i % 4 == 1)
            {
                double s = 0;
                for (int j = 0; j < k; j++) s += y[i * k + j] = rng.NextDouble();
                for (int j = 0; j < k; j++) y[i * k + j] /= s;
            }
            else
            {
                y[i * k + rng.Next(k)] = 1;
            }

            w[i] = i % 5 == 0 ? 0 : 0.25 + rng.NextDouble();
        }

        return (eta, y, w);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Double_MatchesRowByRowFormula(int rows, int k)
    {
        (double[] eta, double[] y, double[] w) = Data(rows, k, 17 * rows + k);
        foreach (double[]? weights in new[] { null, w })
        {
            var expectedGrad = new double[rows * k];
            var grad = new double[rows * k];
            grad.AsSpan().Fill(double.NaN);
            double expected = NaiveSoftmax.Evaluate(eta, y, weights, rows, k, expectedGrad, 0.37);
            double actual = new SoftmaxLoss().Evaluate<double>(eta, y, weights, rows, k, grad, 0.37);
            Tolerance.Equal(expected, actual, 1e-13, 1e-13, "loss");
            Tolerance.Equal(expectedGrad, grad, 1e-13, 1e-15, "gradient in eta");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float_MatchesRowByRowFormula_WithinOneFloatUlp(int rows, int k)
    {
        (double[] eta, double[] y, double[] w) = Data(rows, k, 31 * rows + k);
        float[] etaF = Array.ConvertAll(eta, v => (float)v), yF = Array.ConvertAll(y, v => (float)v);
        var expectedGrad = new double[rows * k];
        var grad = new float[rows * k];
        grad.AsSpan().Fill(float.NaN);
        double expected = NaiveSoftmax.Evaluate(Array.ConvertAll(etaF, v => (double)v), Array.ConvertAll(yF, v => (double)v), w, rows, k, expectedGrad, 1.0 / 3);
        double actual = new SoftmaxLoss().Evaluate<float>(etaF, yF, w, rows, k, grad, 1.0 / 3);
        Tolerance.Equal(expected, actual, 1e-13, 1e-13, "loss");
        // Each gradient is its double value rounded once: within one float ulp of the oracle's (plus the double's own
        // absolute tolerance where the difference cancels).
        for (int i = 0; i < grad.Length; i++)
        {
            float e = (float)Math.Abs(expectedGrad[i]);
            double ulp = MathF.BitIncrement(e) - e;
            Assert.True(Math.Abs(grad[i] - expectedGrad[i]) <= ulp + 1e-15, $"gradient {i}: {grad[i]}, expected {expectedGrad[i]}");
        }
    }
}
