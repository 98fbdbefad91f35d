namespace NNLinearity.Tests.Reference;

/// <summary>The three dense-layer products as plain triple loops, accumulated in double.</summary>
public static class NaiveGemm
{
    /// <summary>Z = X W^T + b and, per element, sum |x||w| + |b| (the scale of the rounding error).</summary>
    public static (double[] Z, double[] Scale) Forward(double[] x, int m, int k, double[] w, double[] b, int n)
    {
        var z = new double[m * n];
        var s = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double acc = b[j], abs = System.Math.Abs(b[j]);
                for (int p = 0; p < k; p++)
                {
                    acc += x[i * k + p] * w[j * k + p];
                    abs += System.Math.Abs(x[i * k + p] * w[j * k + p]);
                }

                z[i * n + j] = acc;
                s[i * n + j] = abs;
            }
        }

        return (z, s);
    }

    /// <summary>dX = dZ W.</summary>
    public static (double[] DX, double[] Scale) BackwardInput(double[] dz, int m, int n, double[] w, int k)
    {
        var dx = new double[m * k];
        var s = new double[m * k];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < k; j++)
            {
                double acc = 0, abs = 0;
                for (int p = 0; p < n; p++)
                {
                    acc += dz[i * n + p] * w[p * k + j];
                    abs += System.Math.Abs(dz[i * n + p] * w[p * k + j]);
                }

                dx[i * k + j] = acc;
                s[i * k + j] = abs;
            }
        }

        return (dx, s);
    }

    /// <summary>dW = dW0 + dZ^T X.</summary>
    public static (double[] DW, double[] Scale) WeightGradient(double[] dz, int m, int n, double[] x, int k, double[] dw0)
    {
        var dw = new double[n * k];
        var s = new double[n * k];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < k; j++)
            {
                double acc = dw0[i * k + j], abs = System.Math.Abs(acc);
                for (int p = 0; p < m; p++)
                {
                    acc += dz[p * n + i] * x[p * k + j];
                    abs += System.Math.Abs(dz[p * n + i] * x[p * k + j]);
                }

                dw[i * k + j] = acc;
                s[i * k + j] = abs;
            }
        }

        return (dw, s);
    }

    /// <summary>
    /// The packed panels of W^T by their definition: panel q holds, for each p &lt; k, the nr values W[q nr + j, p]
    /// (zero past n).
    /// </summary>
    public static T[] PackTransposed<T>(T[] w, int n, int k, int nr) where T : struct
    {
        int panels = (n + nr - 1) / nr;
        var packed = new T[panels * nr * k];
        for (int q = 0; q < panels; q++)
        {
            for (int p = 0; p < k; p++)
            {
                for (int j = 0; j < nr; j++) packed[(q * k + p) * nr + j] = q * nr + j < n ? w[(q * nr + j) * k + p] : default;
            }
        }

        return packed;
    }
}
