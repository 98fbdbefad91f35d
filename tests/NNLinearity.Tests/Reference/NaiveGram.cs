namespace NNLinearity.Tests.Reference;

/// <summary>The lower triangle of U^T U by a plain triple loop (the oracle for the Gram kernels).</summary>
public static class NaiveGram
{
    public static double[,] LowerTriangle(double[] u, int rows, int columns, int stride)
    {
        var g = new double[columns, columns];
        for (int j = 0; j < columns; j++)
        {
            for (int l = 0; l <= j; l++)
            {
                double s = 0;
                for (int i = 0; i < rows; i++) s += u[i * stride + j] * u[i * stride + l];
                g[j, l] = s;
            }
        }

        return g;
    }
}
