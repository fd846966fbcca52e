# One image for every worker: `candleflow run <stage>` picks the role (k8s/, compose.yaml).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
# The CPU onnxruntime binaries are bundled; a GPU image sets onnxruntime-node-install=cuda12 in .npmrc instead.
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin bin
COPY cli cli
COPY pipeline pipeline
COPY schemas schemas
COPY stages stages
COPY models models
COPY data-samples data-samples
USER node
ENTRYPOINT ["node", "bin/candleflow.js"]
CMD ["dev"]
