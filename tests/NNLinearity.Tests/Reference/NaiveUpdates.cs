using System;

namespace NNLinearity.Tests.Reference;

/// <summary>The optimisers' updates as plain scalar loops, one parameter at a time, in double (the oracle for UpdateKernels).</summary>
internal static class NaiveUpdates
{
    public static void Sgd(float[] theta, float[] g, double[] m, double lr, double momentum)
    {
        for (int i = 0; i < theta.Length; i++)
        {
            m[i] = momentum * m[i] - lr * g[i];
            theta[i] += (float)m[i];
        }
    }

    public static void Sgd(double[] theta, double[] g, double[] m, double lr, double momentum)
    {
        for (int i = 0; i < theta.Length; i++)
        {
            m[i] = momentum * m[i] - lr * g[i];
            theta[i] += m[i];
        }
    }

    public static void Adam(float[] theta, float[] g, double[] m, double[] v, double lr, double b1, double b2, int step, double eps)
    {
        double c1 = 1 - Math.Pow(b1, step), c2 = 1 - Math.Pow(b2, step);
        for (int i = 0; i < theta.Length; i++)
        {
            double gi = g[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            theta[i] -= (float)(lr * (m[i] / c1) / (Math.Sqrt(v[i] / c2) + eps));
        }
    }

    public static void Adam(double[] theta, double[] g, double[] m, double[] v, double lr, double b1, double b2, int step, double eps)
    {
        double c1 = 1 - Math.Pow(b1, step), c2 = 1 - Math.Pow(b2, step);
        for (int i = 0; i < theta.Length; i++)
        {
            double gi = g[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            theta[i] -= lr * (m[i] / c1) / (Math.Sqrt(v[i] / c2) + eps);
        }
    }
}
