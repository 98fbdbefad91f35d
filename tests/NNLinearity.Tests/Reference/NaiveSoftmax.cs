using System;

namespace NNLinearity.Tests.Reference;

/// <summary>
/// The multinomial output loss row by row in double with the runtime's scalar exp and log: log-sum-exp after the row's
/// maximum, sum_j w y_j (lse - eta_j) + w y_j log y_j, and the gradient scale w (p_j sum(y) - y_j) (the oracle for the
/// library's blocked vector softmax).
/// </summary>
internal static class NaiveSoftmax
{
    public static double Evaluate(double[] eta, double[] y, double[]? w, int rows, int k, double[] gradEta, double scale)
    {
        double total = 0;
        var e = new double[k];
        for (int i = 0; i < rows; i++)
        {
            double wi = w is null ? 1.0 : w[i];
            double max = double.NegativeInfinity;
            for (int j = 0; j < k; j++) max = Math.Max(max, eta[i * k + j]);
            double sum = 0, sy = 0;
            for (int j = 0; j < k; j++) sum += e[j] = Math.Exp(eta[i * k + j] - max);
            for (int j = 0; j < k; j++) sy += y[i * k + j];
            double lse = max + Math.Log(sum);
            for (int j = 0; j < k; j++)
            {
                double yj = y[i * k + j];
                total += wi * (yj * (lse - eta[i * k + j]) + (yj > 0 ? yj * Math.Log(yj) : 0));
                gradEta[i * k + j] = scale * wi * (e[j] / sum * sy - yj);
            }
        }

        return total;
    }
}
