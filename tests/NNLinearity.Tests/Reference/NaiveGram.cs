namespace NNLinearity.Tests.Reference;

/// <summary>The weighted Gram matrix by the definition: g[j, l] = sum_i w_i u[i, j] u[i, l], j &gt;= l.</summary>
public static class NaiveGram
{
    public static double[,] LowerTriangle(double[] u, double[] w, int rows, int columns, int stride)
    {
        var g = new double[columns, columns];
        for (int j = 0; j < columns; j++)
        {
            for (int l = 0; l <= j; l++)
            {
                double s = 0;
                for (int i = 0; i < rows; i++) s += w[i] * u[i * stride + j] * u[i * stride + l];
                g[j, l] = s;
            }
        }

        return g;
    }
}
